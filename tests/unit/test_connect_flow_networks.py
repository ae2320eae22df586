"""The Connect wizard's order with the choice of network first: each network's first step, and Back to the choice."""

from __future__ import annotations

from autoposter_gui.ui.connect_flow import ConnectFlow, Step


def test_the_choice_comes_first_and_leads_to_each_network() -> None:
    flow = ConnectFlow(chooser=True)
    assert flow.first is Step.NETWORK and flow.before(Step.NETWORK) is None
    assert [flow.start(k) for k in ("meta", "x", "google")] == [Step.APP, Step.X, Step.GOOGLE]
    assert flow.next_label(Step.NETWORK) == "&Next >"
    assert all(flow.before(s) is Step.NETWORK for s in (Step.APP, Step.X, Step.GOOGLE))


def test_without_the_choice_meta_starts_alone_and_a_network_page_has_no_back() -> None:
    flow = ConnectFlow()
    assert flow.first is Step.APP and flow.before(Step.APP) is None
    assert flow.before(Step.X) is None and flow.before(Step.GOOGLE) is None


def test_the_guide_keeps_its_own_order_after_the_choice() -> None:
    flow = ConnectFlow(chooser=True)
    flow.guided = True
    assert flow.start("meta") is Step.CREATE
    assert flow.before(Step.APP) is Step.USE_CASE and flow.before(Step.LOGIN) is Step.LIVE
