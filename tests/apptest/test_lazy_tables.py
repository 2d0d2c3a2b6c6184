"""The table behind a chart is built only while its expander is open; its CSV only on click."""


def test_chart_data_table_is_built_when_its_expander_opens(open_page):
    at = open_page("targets", lang="en")
    assert not at.exception
    assert "Show the data" in [e.label for e in at.expander]
    assert len(at.dataframe) == 0  # closed expanders cost nothing on a rerun
    at.session_state["targets_bullets_data"] = True  # what clicking the expander does
    at.run()
    assert not at.exception
    assert len(at.dataframe) == 1
    shown = at.dataframe[0].value
    assert list(shown["Target ID"]) == ["T1", "T2", "T3"]
    (button,) = at.get("download_button")
    assert button.proto.deferred_file_id  # the CSV is generated when the button is clicked
    assert button.proto.url == ""
