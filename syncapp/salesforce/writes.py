"""Writes the flow actions make: sObject Collections (create, update, upsert, delete) and SOAP convertLead.

A mixin of `SalesforceClient`: every call goes through the client's `_call` (API call count, one re-login on
an expired session, retries of transient failures, errors translated once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from syncapp.salesforce.errors import TRANSIENT_CODES, classify, first_error
from syncapp.salesforce.soap import (
    CONVERT_BATCH,
    LeadConvertRequest,
    LeadConvertResult,
    convert_lead_body,
    create_body,
    envelope,
    parse_convert_response,
    parse_fault,
    parse_save_results,
)

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

COLLECTION_SIZE = 200  # records per sObject Collections request


class WritesMixin:
    def collection(
        self,
        method: str,
        records: list[dict[str, Any]],
        *,
        external_id: tuple[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Create (POST), update (PATCH) or upsert (PATCH + `external_id` = (sObject, field)) records with
        sObject Collections, 200 per call, allOrNone off: one result dict per record, in order."""
        path = "composite/sobjects" + (f"/{external_id[0]}/{external_id[1]}" if external_id else "")
        results: list[dict[str, Any]] = []
        for start in range(0, len(records), COLLECTION_SIZE):
            chunk = records[start : start + COLLECTION_SIZE]
            body = {"allOrNone": False, "records": chunk}
            results.extend(
                self._call(lambda sf, b=body: sf.restful(path, method=method, json=b, headers=headers or {}))
            )
        return results

    def collection_delete(self, ids: list[str]) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        for start in range(0, len(ids), COLLECTION_SIZE):
            params = {"ids": ",".join(ids[start : start + COLLECTION_SIZE]), "allOrNone": "false"}
            results.extend(
                self._call(lambda sf, p=params: sf.restful("composite/sobjects", method="DELETE", params=p))
            )
        return results

    def convert_leads(self, converts: list[LeadConvertRequest]) -> list[LeadConvertResult]:
        """SOAP `convertLead` (REST has none): one call per 100 leads, one result per lead, in order."""
        results: list[LeadConvertResult] = []
        for start in range(0, len(converts), CONVERT_BATCH):
            body = convert_lead_body(converts[start : start + CONVERT_BATCH])
            results.extend(parse_convert_response(self._soap(body)))
        return results

    def soap_create(
        self, sobject: str, records: list[dict[str, Any]], *, use_default_rule: bool, notify: bool
    ) -> list[dict[str, Any]]:
        """SOAP `create`, the only way Salesforce emails a lead's new owner: AssignmentRuleHeader runs the
        active rule, EmailHeader.triggerUserEmail sends the notification (REST can do neither)."""
        results: list[dict[str, Any]] = []
        for start in range(0, len(records), COLLECTION_SIZE):
            body = create_body(sobject, records[start : start + COLLECTION_SIZE])
            raw = self._soap(body, email_header=notify, use_default_rule=use_default_rule)
            results.extend(parse_save_results(raw))
        return results

    def _soap(self, body: str, **headers: Any) -> bytes:
        def post(sf: Salesforce) -> bytes:
            response = self.http.post(
                f"{self.token.instance_url}/services/Soap/u/{self.credentials.api_version}",
                data=envelope(sf.session_id, body, **headers),
                headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
                timeout=self.credentials.timeout,
            )
            if response.status_code >= 300:
                fault = parse_fault(response.content)
                if fault is None:
                    code, message = first_error(response.text)
                    raise classify(code, message or response.text[:200], response.status_code)
                # Every SOAP fault is an HTTP 500: only the fault code tells a busy org from a refusal.
                status = 401 if fault.code == "INVALID_SESSION_ID" else 400
                raise classify(fault.code, fault.message, 503 if fault.code in TRANSIENT_CODES else status)
            return response.content

        return self._call(post)
