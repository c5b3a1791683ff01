"""Charges for a visit: call-out fee, labour and parts less warranty and agreement waivers."""
