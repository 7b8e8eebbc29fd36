"""The "Uppföljning" / "Follow-up" page: plan against actual (model/followup.py)."""
