"""Workshop page: groups build their own paths to 2030 and the projector shows them all (logic in ui/)."""
from ui import state
from ui.workshop.page import render_workshop_page

render_workshop_page(state.lang())
