"""Files shipped with the package for operators, such as the commented example estate config.

Kept as a package so `importlib.resources` finds them in an installed wheel as well as in a
source checkout (see `handlers.config.example_config_text`).
"""
