"""Operations across the border: joint patrols (pursuits and joint actions follow)."""
