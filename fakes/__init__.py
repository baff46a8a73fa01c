"""Offline fakes of Meta Graph, Telnyx and the Facebook JS SDK, sharing one world."""
