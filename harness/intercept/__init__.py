"""Interception of the vendor hosts: a local CA, an HTTPS proxy in front of the fakes, the child's environment."""

from .ca import LocalCA
from .proxy import VENDOR_HOSTS, InterceptProxy, ProxyEvent, intercept

__all__ = ["VENDOR_HOSTS", "InterceptProxy", "LocalCA", "ProxyEvent", "intercept"]
