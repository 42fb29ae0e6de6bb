"""Approval workflows: requests that pass through sequential approval levels."""
