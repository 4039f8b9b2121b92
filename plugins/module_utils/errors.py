# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exceptions shared by the pure core and the AWS helpers; their messages are written for the user."""

from __future__ import annotations

from typing import Any


class InvalidInputError(ValueError):
    """User input that can't be sent to AWS. Raised before any write."""


class OperationError(Exception):
    """An AWS-side state that stops the task (model missing, key not changeable, lost race...)."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.details = details
