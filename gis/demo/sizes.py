"""Demo sizes (a light module: the CLI reads it without loading the generator)."""

SIZES = {
    "small": {"nx": 4, "ny": 4, "dem": 5.0, "works": 2},
    "district": {"nx": 25, "ny": 25, "dem": 10.0, "works": 16},
    "city": {"nx": 79, "ny": 79, "dem": 20.0, "works": 150},
}
