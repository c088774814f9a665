from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import UserCreationForm
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters


class SetupForm(UserCreationForm):
    """Username and password twice; Django's password validators apply."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()


@login_not_required
@sensitive_post_parameters("password1", "password2")
def setup(request):
    """First run: make the first account, a superuser, and log it in. Once any user exists: 404."""
    users = get_user_model().objects
    if users.exists():
        raise Http404("The first account exists already.")
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if users.exists():
                raise Http404("The first account exists already.")
            user = form.save(commit=False)
            user.is_staff = user.is_superuser = True
            user.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("library")
    return render(request, "registration/setup.html", {"form": form})
