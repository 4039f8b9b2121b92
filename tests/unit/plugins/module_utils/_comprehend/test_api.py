# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Comprehend calls every feature shares, against botocore's Stubber."""

from __future__ import annotations

import pytest

from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import describe_model
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import list_models
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import model_arn_key

PREFIX = "arn:aws:comprehend:us-west-2:111122223333:entity-recognizer/people/version/"


def test_list_models_follows_every_page(stub_client):
    client, stubber = stub_client("comprehend")
    name_filter = {"Filter": {"RecognizerName": "people"}, "MaxResults": 500}
    stubber.add_response("list_entity_recognizers", {"EntityRecognizerPropertiesList": [{"EntityRecognizerArn": f"{PREFIX}v1"}],
                                                     "NextToken": "page-2"}, name_filter)
    stubber.add_response("list_entity_recognizers", {"EntityRecognizerPropertiesList": [{"EntityRecognizerArn": f"{PREFIX}v2"}]},
                         dict(name_filter, NextToken="page-2"))
    models = list_models(client, "entity-recognizer", "people")
    assert [model[model_arn_key("entity-recognizer")] for model in models] == [f"{PREFIX}v1", f"{PREFIX}v2"]


def test_a_missing_model_is_named(stub_client):
    client, stubber = stub_client("comprehend")
    stubber.add_client_error("describe_entity_recognizer", "ResourceNotFoundException", http_status_code=404)
    with pytest.raises(OperationError, match=f"the entity-recognizer {PREFIX}v9 does not exist"):
        describe_model(client, parse_model_arn(f"{PREFIX}v9", option="model"))
