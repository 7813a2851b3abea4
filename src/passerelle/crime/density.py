"""Kernel density of incidents at the H3 cell centres (quartic kernel, as crime mappers use).

Density per km² at each centre: Σ K(d/h) / h², with the quartic (biweight)
kernel K(u) = 3/π (1 - u²)² for u < 1, which integrates to one over the plane.
Also ``gaussian`` and ``epanechnikov`` (tested against scikit-learn's
KernelDensity). Coordinates are projected on a local plane (metres).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from passerelle.crime.points import EARTH_RADIUS_M

Kernel = Literal["quartic", "epanechnikov", "gaussian"]
FloatArray = NDArray[np.float64]


def _project(lat: FloatArray, lon: FloatArray, lat0: float, lon0: float) -> FloatArray:
    x = np.radians(lon - lon0) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    y = np.radians(lat - lat0) * EARTH_RADIUS_M
    return np.column_stack([x, y])


def kernel_density(
    points_latlon: FloatArray,
    at_latlon: FloatArray,
    bandwidth_m: float,
    kernel: Kernel = "quartic",
) -> FloatArray:
    """Density (incidents per km²) at each ``at`` location."""
    pts = np.asarray(points_latlon, dtype=np.float64).reshape(-1, 2)
    at = np.asarray(at_latlon, dtype=np.float64).reshape(-1, 2)
    if len(pts) == 0 or len(at) == 0:
        return np.zeros(len(at))
    lat0, lon0 = float(pts[:, 0].mean()), float(pts[:, 1].mean())
    p = _project(pts[:, 0], pts[:, 1], lat0, lon0)
    q = _project(at[:, 0], at[:, 1], lat0, lon0)
    h = float(bandwidth_m)
    reach = h * (6.0 if kernel == "gaussian" else 1.0)
    tree_p, tree_q = cKDTree(p), cKDTree(q)
    d = tree_q.sparse_distance_matrix(tree_p, reach, output_type="coo_matrix")
    u = np.asarray(d.data) / h
    if kernel == "quartic":
        k = 3.0 / math.pi * (1 - u**2) ** 2
    elif kernel == "epanechnikov":
        k = 2.0 / math.pi * (1 - u**2)
    else:
        k = np.exp(-0.5 * u**2) / (2 * math.pi)
    dens = np.bincount(d.row, weights=k, minlength=len(q)).astype(np.float64)
    # sparse_distance_matrix leaves out exact zeros (a point on a centre): add them back
    zero = tree_q.query_ball_tree(tree_p, 0.0)
    k0 = {"quartic": 3.0 / math.pi, "epanechnikov": 2.0 / math.pi, "gaussian": 1 / (2 * math.pi)}
    dens = dens + np.array([len(z) for z in zero], dtype=np.float64) * k0[kernel]
    return np.asarray(dens / h**2 * 1e6)
