//! Building a detached CAdES-BES signature (CMS SignedData without the content) around a key
//! that lives on the card: contentType, messageDigest, signingTime and signingCertificateV2
//! are signed; the signer's certificate (and any CA certificates given) travel with it.

use std::cell::RefCell;

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::ContentInfo;
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use const_oid::db::rfc5911;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use rsa::RsaPublicKey;
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::attr::{Attribute, AttributeValue};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::time::Time;

use super::digest::DigestAlgorithm;
use super::{CmsError, ess};
use crate::CardError;
use crate::card::{JpkiApp, KeyKind, PinStatus};
use crate::cert::CardCertificate;
use crate::pin::Pin;
use crate::transport::Transport;

/// A key that signs DER `DigestInfo`s (PKCS#1 v1.5) and the certificate that goes with it.
pub trait DocumentSigner {
    /// The certificate of the signing key.
    fn certificate(&self) -> &CardCertificate;
    /// Signs a DER `DigestInfo`; the card adds the padding.
    fn sign_digest_info(&mut self, digest_info: &[u8]) -> Result<Vec<u8>, CardError>;
}

/// The card's signing key, unlocked with its PIN for this session.
pub struct CardSigner<T: Transport> {
    app: JpkiApp<T>,
    key: KeyKind,
    certificate: CardCertificate,
}

impl<T: Transport> CardSigner<T> {
    /// Selects the JPKI application, refuses a locked PIN without sending it, verifies `pin`
    /// once, and reads `key`'s certificate.
    pub fn unlock(transport: T, key: KeyKind, pin: &Pin) -> Result<CardSigner<T>, CardError> {
        let mut app = JpkiApp::select(transport)?;
        if app.pin_status(pin.kind())? == PinStatus::Locked {
            return Err(CardError::PinLocked { kind: pin.kind() });
        }
        CardSigner::with_app(app, key, pin)
    }

    /// Like [`CardSigner::unlock`] on an application already selected (and whose PIN state the
    /// caller has already checked, e.g. to show the tries left before asking for the PIN).
    pub fn with_app(
        mut app: JpkiApp<T>,
        key: KeyKind,
        pin: &Pin,
    ) -> Result<CardSigner<T>, CardError> {
        if pin.kind() != key.pin_kind() {
            return Err(CardError::PinDoesNotUnlockKey {
                key,
                given: pin.kind(),
            });
        }
        app.verify_pin(pin)?;
        let certificate = app.certificate(key.certificate())?;
        Ok(CardSigner {
            app,
            key,
            certificate,
        })
    }

    /// Reads another certificate from the card (e.g. the signing CA, to include it).
    pub fn card_certificate(
        &mut self,
        slot: crate::card::CertSlot,
    ) -> Result<CardCertificate, CardError> {
        self.app.certificate(slot)
    }

    /// The transport underneath (for its counters).
    pub fn into_transport(self) -> T {
        self.app.into_transport()
    }
}

impl<T: Transport> DocumentSigner for CardSigner<T> {
    fn certificate(&self) -> &CardCertificate {
        &self.certificate
    }

    fn sign_digest_info(&mut self, digest_info: &[u8]) -> Result<Vec<u8>, CardError> {
        self.app.sign(self.key, digest_info)
    }
}

/// What to sign: the content's digest (computed beforehand, e.g. by streaming a file) and when.
#[derive(Debug, Clone)]
pub struct SignRequest {
    /// The digest algorithm, for the content and for the signed attributes.
    pub algorithm: DigestAlgorithm,
    /// The content's digest with `algorithm`.
    pub content_digest: Vec<u8>,
    /// The time put in the signingTime attribute.
    pub signing_time: OffsetDateTime,
    /// Certificates to include besides the signer's (e.g. the issuing CA).
    pub extra_certificates: Vec<CardCertificate>,
}

/// Makes a detached CAdES-BES signature (DER `ContentInfo`) for `request` with `signer`.
pub fn sign_detached(
    signer: &mut dyn DocumentSigner,
    request: &SignRequest,
) -> Result<Vec<u8>, CmsError> {
    let expected = request.algorithm.digest(&[]).len();
    if request.content_digest.len() != expected {
        return Err(CmsError::DigestLength {
            algorithm: request.algorithm,
            len: request.content_digest.len(),
        });
    }
    let certificate = signer.certificate().clone();
    let x509 = certificate.x509().clone();
    let content = EncapsulatedContentInfo {
        econtent_type: rfc5911::ID_DATA,
        econtent: None,
    };
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: x509.tbs_certificate.issuer.clone(),
        serial_number: x509.tbs_certificate.serial_number.clone(),
    });
    let adapter = CardKey {
        signer: RefCell::new(signer),
        algorithm: request.algorithm,
        public_key: certificate.public_key(),
        failure: RefCell::new(None),
    };
    let digest_algorithm = AlgorithmIdentifierOwned {
        oid: request.algorithm.oid(),
        parameters: None,
    };
    let mut info = SignerInfoBuilder::new(
        &adapter,
        sid,
        digest_algorithm.clone(),
        &content,
        Some(&request.content_digest),
    )
    .map_err(CmsError::build)?;
    info.add_signed_attribute(signing_time(request.signing_time)?)
        .map_err(CmsError::build)?;
    info.add_signed_attribute(signing_certificate_v2(&certificate)?)
        .map_err(CmsError::build)?;

    let mut data = SignedDataBuilder::new(&content);
    data.add_digest_algorithm(digest_algorithm)
        .map_err(CmsError::build)?;
    data.add_certificate(CertificateChoices::Certificate(x509))
        .map_err(CmsError::build)?;
    for extra in &request.extra_certificates {
        data.add_certificate(CertificateChoices::Certificate(extra.x509().clone()))
            .map_err(CmsError::build)?;
    }
    let built = data.add_signer_info::<_, rsa::pkcs1v15::Signature>(info);
    if let Some(card_error) = adapter.failure.borrow_mut().take() {
        return Err(CmsError::Card(card_error));
    }
    built.map_err(CmsError::build)?;
    let content_info: ContentInfo = data.build().map_err(CmsError::build)?;
    content_info.to_der().map_err(CmsError::Der)
}

/// The signingTime attribute: UTCTime until 2049, GeneralizedTime after (RFC 5652 §11.3).
fn signing_time(at: OffsetDateTime) -> Result<Attribute, CmsError> {
    let system = std::time::SystemTime::from(at);
    let time = Time::try_from(system).map_err(CmsError::Der)?;
    attribute(
        rfc5911::ID_SIGNING_TIME,
        &time.to_der().map_err(CmsError::Der)?,
    )
}

/// The signingCertificateV2 attribute (RFC 5035): the SHA-256 of the signer's certificate and
/// its issuer and serial, which binds the signature to that one certificate (CAdES-BES).
fn signing_certificate_v2(certificate: &CardCertificate) -> Result<Attribute, CmsError> {
    let tbs = &certificate.x509().tbs_certificate;
    let value = ess::SigningCertificateV2 {
        certs: vec![ess::EssCertIdV2 {
            // DER omits the DEFAULT (SHA-256) hash algorithm.
            hash_algorithm: None,
            cert_hash: OctetString::new(DigestAlgorithm::Sha256.digest(certificate.der()))
                .map_err(CmsError::Der)?,
            issuer_serial: Some(ess::IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer.clone())],
                serial_number: tbs.serial_number.clone(),
            }),
        }],
        policies: None,
    };
    attribute(
        rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2,
        &value.to_der().map_err(CmsError::Der)?,
    )
}

fn attribute(oid: const_oid::ObjectIdentifier, value_der: &[u8]) -> Result<Attribute, CmsError> {
    let mut values = SetOfVec::<AttributeValue>::new();
    values
        .insert(Any::from_der(value_der).map_err(CmsError::Der)?)
        .map_err(CmsError::Der)?;
    Ok(Attribute { oid, values })
}

/// The card as the `cms` builder wants a key: it hands over the DER signed attributes, we hash
/// them, build the DigestInfo and have the card sign it.
struct CardKey<'a> {
    signer: RefCell<&'a mut dyn DocumentSigner>,
    algorithm: DigestAlgorithm,
    public_key: RsaPublicKey,
    /// The card's own error, kept because the builder only passes an opaque one along.
    failure: RefCell<Option<CardError>>,
}

impl signature::Keypair for CardKey<'_> {
    type VerifyingKey = RsaPublicKey;

    fn verifying_key(&self) -> RsaPublicKey {
        self.public_key.clone()
    }
}

impl spki::DynSignatureAlgorithmIdentifier for CardKey<'_> {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        Ok(AlgorithmIdentifierOwned {
            oid: self.algorithm.rsa_signature_oid(),
            parameters: Some(der::asn1::Null.into()),
        })
    }
}

impl signature::Signer<rsa::pkcs1v15::Signature> for CardKey<'_> {
    fn try_sign(
        &self,
        signed_attributes: &[u8],
    ) -> Result<rsa::pkcs1v15::Signature, signature::Error> {
        let hash = self.algorithm.digest(signed_attributes);
        let digest_info = self.algorithm.digest_info(&hash);
        match self.signer.borrow_mut().sign_digest_info(&digest_info) {
            Ok(bytes) => rsa::pkcs1v15::Signature::try_from(bytes.as_slice()),
            Err(e) => {
                *self.failure.borrow_mut() = Some(e);
                Err(signature::Error::new())
            }
        }
    }
}

impl std::fmt::Debug for CardKey<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}
