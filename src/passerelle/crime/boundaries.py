"""The analyst's boundaries on a node: uploaded through the API, or configured in node.toml.

``[crime] boundaries = "areas.geojson"`` (and ``boundaries_name_property``) names a
file the node reads; an analyst may upload other boundaries (``PUT
/api/v1/crime/boundaries``), kept in the node's data directory as a normalised
FeatureCollection (property ``name``) and used instead until deleted.
"""

from __future__ import annotations

import json
from pathlib import Path

from passerelle.crime.areas import Areas, load_areas, parse_areas

UPLOADED = "crime-boundaries.geojson"


class BoundaryStore:
    def __init__(
        self, data_dir: Path, configured: Path | None = None, name_property: str = "name"
    ) -> None:
        self.uploaded = data_dir / UPLOADED
        self.configured = configured
        self.name_property = name_property

    def get(self) -> Areas | None:
        """The boundaries in force: the uploaded ones, else the configured ones, else None."""
        if self.uploaded.is_file():
            return parse_areas(self.uploaded.read_bytes(), "name")
        if self.configured is not None:
            return Areas(*load_areas(self.configured, self.name_property))
        return None

    def source(self) -> str | None:
        if self.uploaded.is_file():
            return "uploaded"
        return "configured" if self.configured is not None else None

    def put(self, text: str | bytes, name_property: str = "name") -> Areas:
        """Validate and keep uploaded boundaries (refused whole when not valid)."""
        areas = parse_areas(text, name_property)
        self.uploaded.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.uploaded.with_suffix(".tmp")
        tmp.write_text(json.dumps(areas.geojson()), encoding="utf-8")
        tmp.replace(self.uploaded)
        return areas

    def clear(self) -> bool:
        """Forget the uploaded boundaries (the configured ones apply again)."""
        if self.uploaded.is_file():
            self.uploaded.unlink()
            return True
        return False
