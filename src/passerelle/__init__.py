"""Passerelle: police information exchange across the Benelux and Euregio Meuse-Rhine."""

__version__ = "0.1.0"
