"""Briefing: the 2017 agenda as full-screen slides for presenters (see dashboard.ui.presenter)."""

from dashboard.ui import data, presenter

presenter.present(data.tables())
