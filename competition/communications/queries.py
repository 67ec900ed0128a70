"""Reads of the organisers' mail pages: group mails and their send log, the categories to address, the stored
templates. Each returns a `select(...)` or plain values."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from ..editions.models import Category, Edition
from ..extensions import db
from .models import Campaign, MailLog, MailStatus, MailTemplate


def campaigns() -> Select[tuple[Campaign]]:
    """Every group mail, newest first."""
    return select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())


def mail_log_of(campaign_id: int) -> Select[tuple[MailLog]]:
    return select(MailLog).where(MailLog.campaign_id == campaign_id).order_by(MailLog.status, MailLog.address)


def status_counts(campaign_ids: list[int]) -> dict[int, dict[MailStatus, int]]:
    """For each group mail, how many of its mails are in which state."""
    counts: dict[int, dict[MailStatus, int]] = {cid: {} for cid in campaign_ids}
    if campaign_ids:
        rows = db.session.execute(select(MailLog.campaign_id, MailLog.status, func.count())
                                  .where(MailLog.campaign_id.in_(campaign_ids))
                                  .group_by(MailLog.campaign_id, MailLog.status))
        for campaign_id, status, count in rows:
            counts[campaign_id][status] = count
    return counts


def category_choices() -> Select[tuple[int, str, str]]:
    """(category id, category name, edition name) of every edition, the newest edition first."""
    return (select(Category.id, Category.name, Edition.name).join(Edition, Edition.id == Category.edition_id)
            .order_by(Edition.registration_opens_at.desc(), Category.position))


def stored_templates() -> Select[tuple[MailTemplate]]:
    return select(MailTemplate)
