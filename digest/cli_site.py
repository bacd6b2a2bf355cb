"""``digest site build``: the static site of all published editions."""
