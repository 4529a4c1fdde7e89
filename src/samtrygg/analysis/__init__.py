"""Pure analysis core: numpy / scipy / shapely / pyproj only, never Django."""
