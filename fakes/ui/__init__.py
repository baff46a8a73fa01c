"""The live view of the simulated world (`/__admin/ui`): a static page over the control plane."""

from .views import ui_blueprint

__all__ = ["ui_blueprint"]
