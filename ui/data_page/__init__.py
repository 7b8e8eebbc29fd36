"""The Data och metod page: sources, method, the lever registry and input downloads."""
