"""Placeholder page (being built)."""
import streamlit as st

st.info("Sidan byggs.")
