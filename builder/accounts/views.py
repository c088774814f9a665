from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import UserCreationForm
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from builder.api.models import ApiToken

MAX_EXPIRY_DAYS = 3650


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


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, required=False, help_text="What the token is for, such as a script or a host."
    )
    expires_in_days = forms.IntegerField(
        label="Expires in (days)",
        required=False,
        min_value=1,
        max_value=MAX_EXPIRY_DAYS,
        initial=90,  # the page suggests an end; a token for good must be asked for by emptying the field
        help_text="Refused after this many days. Empty: never expires.",
    )
    scope = forms.ChoiceField(
        label="Access",
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ_WRITE,
        required=False,
        help_text="A read-only token may list and render templates, not import them.",
    )

    def issue(self, user) -> str:
        days = self.cleaned_data["expires_in_days"]
        expires_at = timezone.now() + timedelta(days=days) if days else None
        scope = self.cleaned_data["scope"] or ApiToken.Scope.READ_WRITE
        return ApiToken.issue(user, self.cleaned_data["name"], expires_at=expires_at, scope=scope)[1]


@require_http_methods(["GET", "POST"])
def account(request):
    """The user's API tokens: make one (its text is shown on this response only) or revoke one."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    new_token = None
    if form.is_valid():
        new_token = form.issue(request.user)
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    # Rendered rather than redirected: after a redirect the plaintext would have to be kept somewhere.
    response = render(request, "registration/account.html", {"form": form, "tokens": tokens, "new_token": new_token})
    if new_token:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
def revoke_token(request, token_id: int):
    # Someone else's token is "not found", as if it did not exist.
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token.revoke()
    messages.success(request, f"Revoked the token {token.prefix}… ({token.name or 'unnamed'}).")
    return redirect("account")
