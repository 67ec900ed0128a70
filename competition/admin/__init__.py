"""The organiser's dashboard and operator commands. Calls other modules' services; owns no models."""
