"""pyHanko's own AdES validation (the same calls as `pyhanko sign adesverify`), with CRLs the
verifier holds beside the document, at a chosen time: what a recipient years later does, holding
the TSA's CRL of that day. Only pyHanko's public API is used; nothing of it is changed.

Usage: pyhanko_ades_at.py PDF TIME --trust PEM... [--crl PEM...]
Prints pyHanko's pretty-printed report per signature and "BOTTOM LINE: VALID|INVALID".
"""

import argparse
import asyncio
import sys

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.misc import isoparse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    PdfSignatureValidationSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import format_pretty_print_details
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import (
    REQUIRE_REVINFO,
    CertRevTrustPolicy,
    FreshnessReqType,
)
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer


def crls(paths):
    out = []
    for path in paths:
        data = open(path, "rb").read()
        blocks = [b for _, _, b in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
        out.extend(CRLContainer(asn1_crl.CertificateList.load(b)) for b in blocks)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("pdf")
    parser.add_argument("time")
    parser.add_argument("--trust", action="append", default=[])
    parser.add_argument("--crl", action="append", default=[])
    args = parser.parse_args()
    at = isoparse(args.time)
    anchors = list(load_certs_from_pemder(args.trust))
    cert_policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=anchors),
        revinfo_policy=CertRevTrustPolicy(
            REQUIRE_REVINFO,
            freshness=None,
            freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION,
        ),
    )
    spec = PdfSignatureValidationSpec(
        signature_validation_spec=SignatureValidationSpec(
            cert_validation_policy=cert_policy,
            local_knowledge=LocalKnowledge(known_crls=crls(args.crl)),
        ),
        diff_policy=DEFAULT_DIFF_POLICY,
    )
    timing = ValidationTimingInfo(at, at, point_in_time_validation=True)
    ok = True
    with open(args.pdf, "rb") as f:
        reader = PdfFileReader(f)
        for sig in reader.embedded_regular_signatures:
            result = asyncio.run(ades_lta_validation(sig, spec, timing_info=timing))
            print(f"== {sig.field_name}: AdES {result.ades_subindic}")
            print(format_pretty_print_details(result.api_status, []))
            ok = ok and bool(result.api_status.bottom_line)
    print("BOTTOM LINE:", "VALID" if ok else "INVALID")
    sys.exit(0 if ok else 1)


main()
