"""The fake Facebook JS SDK: `sdk.js`, the Embedded Signup popup, and the views that serve them.

Registered on the Graph fake's app (`create_graph_app`), so a partner page loads the SDK from the same host and
port as the Graph API it will call. See docs/browser.md.
"""

from .dialog import FACEBOOK_ORIGIN, DialogOptions, SdkError
from .views import sdk_blueprint

__all__ = ["FACEBOOK_ORIGIN", "DialogOptions", "SdkError", "sdk_blueprint"]
