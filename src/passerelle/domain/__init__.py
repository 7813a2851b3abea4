"""Value types of the domain: countries, identifiers, names, dates, plates, documents."""
