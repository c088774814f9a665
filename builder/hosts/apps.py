from django.apps import AppConfig


class HostsConfig(AppConfig):
    name = "builder.hosts"
    verbose_name = "libvirt hosts"
