"""Scenario engine, runner, CLI, pytest plugin and the reference onboarding client."""
