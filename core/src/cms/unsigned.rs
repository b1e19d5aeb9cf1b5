//! What is added to a CMS signature after the card signed it: a signature timestamp
//! (CAdES-T, PAdES B-T) and the validation data that lets it be checked for years
//! (certificates, CRLs and OCSP responses: CAdES with complete validation data). None of it is
//! covered by the signer's signature, so adding it never needs the card again.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::revocation::RevocationInfoChoice;
use cms::signed_data::{CertificateSet, SignedData};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911;
use der::asn1::SetOfVec;
use der::{Any, Decode, Encode};
use x509_cert::Certificate;
use x509_cert::attr::{Attribute, AttributeValue};
use x509_cert::crl::CertificateList;

use super::CmsError;

/// `id-aa-signatureTimeStampToken` (RFC 3161 appendix A): a timestamp over the signature value.
pub const ID_AA_SIGNATURE_TIMESTAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// `id-aa-ets-revocationValues` (ETSI EN 319 122-1): CRLs and OCSP responses in a signature.
pub const ID_AA_ETS_REVOCATION_VALUES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.24");
/// `id-pkix-ocsp-basic` (RFC 6960): the only OCSP response type.
const ID_PKIX_OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");

/// Certificates, CRLs and OCSP responses (all DER) that let a signature be checked later.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationData {
    /// Certificates of the chains (signer, CAs, TSA, OCSP responders).
    pub certificates: Vec<Vec<u8>>,
    /// Certificate revocation lists.
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses (`OCSPResponse`, RFC 6960).
    pub ocsp_responses: Vec<Vec<u8>>,
}

impl ValidationData {
    /// True when it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty() && self.crls.is_empty() && self.ocsp_responses.is_empty()
    }

    /// Adds what `other` holds that this does not hold yet.
    pub fn merge(&mut self, other: ValidationData) {
        for (mine, theirs) in [
            (&mut self.certificates, other.certificates),
            (&mut self.crls, other.crls),
            (&mut self.ocsp_responses, other.ocsp_responses),
        ] {
            for item in theirs {
                if !mine.contains(&item) {
                    mine.push(item);
                }
            }
        }
    }
}

fn signed_data(cms_der: &[u8]) -> Result<SignedData, CmsError> {
    super::limits::check_cms(cms_der)?;
    let info = ContentInfo::from_der(cms_der).map_err(CmsError::Der)?;
    if info.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(CmsError::NotSignedData);
    }
    let data: SignedData = info.content.decode_as().map_err(CmsError::Der)?;
    if data.signer_infos.0.len() != 1 {
        return Err(CmsError::SignerCount {
            count: data.signer_infos.0.len(),
        });
    }
    Ok(data)
}

fn encode(data: &SignedData) -> Result<Vec<u8>, CmsError> {
    let info = ContentInfo {
        content_type: rfc5911::ID_SIGNED_DATA,
        content: Any::encode_from(data).map_err(CmsError::Der)?,
    };
    info.to_der().map_err(CmsError::Der)
}

/// The signature value of the one signer: what a signature timestamp covers.
pub fn signature_value(cms_der: &[u8]) -> Result<Vec<u8>, CmsError> {
    let data = signed_data(cms_der)?;
    let signer = data
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or(CmsError::SignerCount { count: 0 })?;
    Ok(signer.signature.as_bytes().to_vec())
}

/// Adds `token_der` (a TimeStampToken over [`signature_value`]) as the signer's
/// signatureTimeStampToken unsigned attribute.
pub fn add_signature_timestamp(cms_der: &[u8], token_der: &[u8]) -> Result<Vec<u8>, CmsError> {
    let mut data = signed_data(cms_der)?;
    let token = Any::from_der(token_der).map_err(CmsError::Der)?;
    let mut infos: Vec<_> = data.signer_infos.0.into_vec();
    let signer = infos
        .first_mut()
        .ok_or(CmsError::SignerCount { count: 0 })?;
    let mut attrs = signer.unsigned_attrs.take().unwrap_or_default().into_vec();
    match attrs
        .iter_mut()
        .find(|a| a.oid == ID_AA_SIGNATURE_TIMESTAMP_TOKEN)
    {
        Some(existing) => existing.values.insert(token).map_err(CmsError::Der)?,
        None => {
            let mut values = SetOfVec::<AttributeValue>::new();
            values.insert(token).map_err(CmsError::Der)?;
            attrs.push(Attribute {
                oid: ID_AA_SIGNATURE_TIMESTAMP_TOKEN,
                values,
            });
        }
    }
    signer.unsigned_attrs = Some(SetOfVec::try_from(attrs).map_err(CmsError::Der)?);
    data.signer_infos =
        cms::signed_data::SignerInfos(SetOfVec::try_from(infos).map_err(CmsError::Der)?);
    encode(&data)
}

/// The signatureTimeStampToken values of the signer (DER TimeStampTokens), in order.
pub fn signature_timestamps(cms_der: &[u8]) -> Result<Vec<Vec<u8>>, CmsError> {
    let data = signed_data(cms_der)?;
    let mut tokens = Vec::new();
    for signer in data.signer_infos.0.iter() {
        for attr in signer.unsigned_attrs.iter().flat_map(|s| s.iter()) {
            if attr.oid == ID_AA_SIGNATURE_TIMESTAMP_TOKEN {
                for value in attr.values.iter() {
                    tokens.push(value.to_der().map_err(CmsError::Der)?);
                }
            }
        }
    }
    Ok(tokens)
}

/// The CAdES revocationValues attribute (ETSI EN 319 122-1 §5.5.3, explicit tags): CRLs and
/// basic OCSP responses. Kept as an attribute rather than in SignedData's `crls`, whose OCSP
/// form the `cms` crate cannot read.
#[derive(Debug, Clone, Default, der::Sequence)]
struct RevocationValues {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    crl_vals: Option<Vec<CertificateList>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    ocsp_vals: Option<Vec<Any>>,
}

/// Adds `extra` to the signature: certificates to SignedData's certificate set (where every
/// verifier looks for chains), CRLs and OCSP responses to a revocationValues unsigned attribute
/// (replacing an earlier one, keeping its contents). Nothing already there is added twice.
pub fn add_validation_data(cms_der: &[u8], extra: &ValidationData) -> Result<Vec<u8>, CmsError> {
    let mut data = signed_data(cms_der)?;
    let mut certs: Vec<CertificateChoices> = data
        .certificates
        .take()
        .map(|c| c.0.into_vec())
        .unwrap_or_default();
    for der in &extra.certificates {
        let cert = Certificate::from_der(der).map_err(CmsError::Der)?;
        let choice = CertificateChoices::Certificate(cert);
        if !certs.contains(&choice) {
            certs.push(choice);
        }
    }
    data.certificates = Some(CertificateSet(
        SetOfVec::try_from(certs).map_err(CmsError::Der)?,
    ));

    let mut infos: Vec<_> = data.signer_infos.0.into_vec();
    let signer = infos
        .first_mut()
        .ok_or(CmsError::SignerCount { count: 0 })?;
    let mut attrs = signer.unsigned_attrs.take().unwrap_or_default().into_vec();
    let mut values = RevocationValues::default();
    if let Some(at) = attrs
        .iter()
        .position(|a| a.oid == ID_AA_ETS_REVOCATION_VALUES)
    {
        let old = attrs.remove(at);
        if let Some(v) = old.values.iter().next() {
            values = v.decode_as().map_err(CmsError::Der)?;
        }
    }
    let mut crls = values.crl_vals.take().unwrap_or_default();
    for der in &extra.crls {
        let crl = CertificateList::from_der(der).map_err(CmsError::Der)?;
        if !crls.contains(&crl) {
            crls.push(crl);
        }
    }
    let mut ocsps = values.ocsp_vals.take().unwrap_or_default();
    for der in &extra.ocsp_responses {
        let basic = Any::from_der(&basic_ocsp_response(der)?).map_err(CmsError::Der)?;
        if !ocsps.contains(&basic) {
            ocsps.push(basic);
        }
    }
    let values = RevocationValues {
        crl_vals: (!crls.is_empty()).then_some(crls),
        ocsp_vals: (!ocsps.is_empty()).then_some(ocsps),
    };
    if values.crl_vals.is_some() || values.ocsp_vals.is_some() {
        let mut set = SetOfVec::<AttributeValue>::new();
        set.insert(Any::encode_from(&values).map_err(CmsError::Der)?)
            .map_err(CmsError::Der)?;
        attrs.push(Attribute {
            oid: ID_AA_ETS_REVOCATION_VALUES,
            values: set,
        });
    }
    if !attrs.is_empty() {
        signer.unsigned_attrs = Some(SetOfVec::try_from(attrs).map_err(CmsError::Der)?);
    }
    data.signer_infos =
        cms::signed_data::SignerInfos(SetOfVec::try_from(infos).map_err(CmsError::Der)?);
    encode(&data)
}

/// The BasicOCSPResponse inside a successful OCSPResponse (RFC 6960 §4.2.1).
fn basic_ocsp_response(response_der: &[u8]) -> Result<Vec<u8>, CmsError> {
    let response = x509_ocsp::OcspResponse::from_der(response_der).map_err(CmsError::Der)?;
    match response.response_bytes {
        Some(bytes) if bytes.response_type == ID_PKIX_OCSP_BASIC => {
            Ok(bytes.response.as_bytes().to_vec())
        }
        _ => Err(CmsError::Build(
            "an OCSP response to embed is not a successful basic response".to_owned(),
        )),
    }
}

/// A successful OCSPResponse around a BasicOCSPResponse, as OCSP checkers take it.
fn ocsp_response(basic_der: &[u8]) -> Result<Vec<u8>, CmsError> {
    let response = x509_ocsp::OcspResponse {
        response_status: x509_ocsp::OcspResponseStatus::Successful,
        response_bytes: Some(x509_ocsp::ResponseBytes {
            response_type: ID_PKIX_OCSP_BASIC,
            response: der::asn1::OctetString::new(basic_der).map_err(CmsError::Der)?,
        }),
    };
    response.to_der().map_err(CmsError::Der)
}

/// The certificates a SignedData carries, and the CRLs and OCSP responses of its
/// revocationValues attribute and its `crls` set.
pub fn embedded_validation_data(cms_der: &[u8]) -> Result<ValidationData, CmsError> {
    let data = signed_data(cms_der)?;
    let mut out = ValidationData::default();
    for choice in data.certificates.iter().flat_map(|c| c.0.iter()) {
        if let CertificateChoices::Certificate(cert) = choice {
            out.certificates.push(cert.to_der().map_err(CmsError::Der)?);
        }
    }
    for choice in data.crls.iter().flat_map(|c| c.0.iter()) {
        if let RevocationInfoChoice::Crl(crl) = choice {
            out.crls.push(crl.to_der().map_err(CmsError::Der)?);
        }
    }
    for signer in data.signer_infos.0.iter() {
        for attr in signer.unsigned_attrs.iter().flat_map(|s| s.iter()) {
            if attr.oid != ID_AA_ETS_REVOCATION_VALUES {
                continue;
            }
            for value in attr.values.iter() {
                let values: RevocationValues = value.decode_as().map_err(CmsError::Der)?;
                for crl in values.crl_vals.iter().flatten() {
                    out.crls.push(crl.to_der().map_err(CmsError::Der)?);
                }
                for basic in values.ocsp_vals.iter().flatten() {
                    out.ocsp_responses
                        .push(ocsp_response(&basic.to_der().map_err(CmsError::Der)?)?);
                }
            }
        }
    }
    Ok(out)
}
