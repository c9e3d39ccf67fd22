"""Configs that hydra-manifest adds to every Hydra app's search path."""
