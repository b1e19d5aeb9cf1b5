//! The test "J-LIS": two CAs (signing, user authentication) that issue JPKI-shaped certificates,
//! keep the revocation list, and own the simulated clock.
//!
//! The certificates have the shape of those on a real card (`core/tests/fixtures/real-card/`):
//! the same subject forms, extensions, criticality, holder-attribute encodings and about the same
//! size, so that what works against the simulator works against a card. The CA names follow
//! J-LIS's form under the test organisation `O=JPKI-TEST`, but their last unit says Kazasu's
//! simulator ([`SIMULATOR_UNIT`]): nothing trusts them by default.
//!
//! It lives in `jlis.json` beside the card files it issued.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use der::asn1::{BitString, GeneralizedTime, Ia5String, OctetString, UtcTime, Utf8StringRef};
use der::referenced::OwnedToRef;
use der::{Any, Decode, Encode};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use signature::{Keypair, SignatureEncoding, Signer};
use spki::{DynSignatureAlgorithmIdentifier, SubjectPublicKeyInfoOwned};
use time::{Date, OffsetDateTime, Time as TimeOfDay, UtcOffset};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::certpolicy::{PolicyInformation, PolicyQualifierInfo};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName, OtherName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, CertificatePolicies,
    CrlDistributionPoints, CrlReason, ExtendedKeyUsage, IssuerAltName, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::{AsExtension, Extension};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use crate::error::SimError;
use crate::holder::{HolderProfile, Municipality};
use crate::persist;

const VERSION: u32 = 1;
/// File name of the J-LIS state, in the directory of the cards it issued.
pub const JLIS_FILE: &str = "jlis.json";
/// Arc of the JPKI holder attributes in the signing certificate's subjectAltName.
const HOLDER_ARC: &str = kazasu_core::cert::HOLDER_ATTRIBUTE_ARC;
/// The organisation of the simulated CAs: J-LIS's test organisation, as on test cards.
pub const TEST_ORGANISATION: &str = "JPKI-TEST";
/// The last unit of the simulated CAs' names, where J-LIS writes its own name: says whose CA
/// this is, so that no one mistakes it for J-LIS's.
pub const SIMULATOR_UNIT: &str = "Kazasu Simulator Test CA - not J-LIS - never trust";
/// The issuer alternative name's last unit (J-LIS writes 地方公共団体情報システム機構 there).
const SIMULATOR_UNIT_JA: &str = "Kazasuシミュレーター試験用認証局（J-LISではない）";
/// Where the certificate policies point for the practice statement: J-LIS's, as on test cards.
const CPS_URL: &str = "http://www.jpki.go.jp/cps.html";
/// The OCSP responder named by authentication certificates. The simulator runs none: `.invalid`
/// never resolves, so nothing is ever asked. Tests run `openssl ocsp` with
/// [`Jlis::ocsp_responder`] and [`Jlis::openssl_index`] and give its URL instead.
pub const OCSP_URL: &str = "http://ocsp.kazasu-simulator.invalid";
/// `id-qt-cps`.
const ID_QT_CPS: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.2.1");
/// `id-ad-ocsp`.
const ID_AD_OCSP: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
/// `id-kp-OCSPSigning`: a CA's delegation of OCSP answers to another key.
const ID_KP_OCSP_SIGNING: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
/// `id-pkix-ocsp-nocheck`: nobody asks about the responder's own certificate.
const ID_PKIX_OCSP_NOCHECK: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.5");
/// The serial of each CA's delegated OCSP responder certificate (leaf serials start with 01).
const RESPONDER_SERIAL: u32 = 0x0C5B;

/// Which CA: the signing CA or the user-authentication CA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaKind {
    /// Issues signing certificates.
    Sign,
    /// Issues user-authentication certificates.
    Auth,
}

/// Why a certificate is on the CRL (RFC 5280 reason codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    /// Voluntary revocation without a stated reason.
    Unspecified,
    /// The holder moved or changed name: the signing certificate's attributes are out of date.
    AffiliationChanged,
    /// Replaced by a renewed certificate.
    Superseded,
    /// Revoked at the holder's request (card no longer used).
    CessationOfOperation,
    /// Temporarily suspended (一時保留), e.g. a lost card; removed on resumption.
    CertificateHold,
}

impl RevocationReason {
    /// The reason as OpenSSL's `index.txt` writes it (a hold names its instruction too).
    fn openssl_name(self) -> &'static str {
        match self {
            RevocationReason::Unspecified => "unspecified",
            RevocationReason::AffiliationChanged => "affiliationChanged",
            RevocationReason::Superseded => "superseded",
            RevocationReason::CessationOfOperation => "cessationOfOperation",
            RevocationReason::CertificateHold => "certificateHold,holdInstructionReject",
        }
    }
}

impl RevocationReason {
    fn crl_reason(self) -> CrlReason {
        match self {
            RevocationReason::Unspecified => CrlReason::Unspecified,
            RevocationReason::AffiliationChanged => CrlReason::AffiliationChanged,
            RevocationReason::Superseded => CrlReason::Superseded,
            RevocationReason::CessationOfOperation => CrlReason::CessationOfOperation,
            RevocationReason::CertificateHold => CrlReason::CertificateHold,
        }
    }
}

/// One CRL entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// Serial number of the revoked certificate, uppercase hex.
    pub serial: String,
    /// Day of revocation.
    pub revoked_on: Date,
    /// Why.
    pub reason: RevocationReason,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct CaState {
    key_pem: String,
    #[serde(with = "crate::hexbytes")]
    cert_der: Vec<u8>,
    revoked: Vec<Revocation>,
    /// The delegated OCSP responder, made on first use ([`Jlis::ocsp_responder`]).
    #[serde(default)]
    responder: Option<Responder>,
}

/// A key the CA authorised to sign OCSP answers, and its certificate.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Responder {
    key_pem: String,
    #[serde(with = "crate::hexbytes")]
    cert_der: Vec<u8>,
}

/// The test CA pair, the revocation lists and the simulated date.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Jlis {
    version: u32,
    /// The simulated "today" (Japan time); `None` follows the system clock.
    today: Option<Date>,
    next_serial: u64,
    sign_ca: CaState,
    auth_ca: CaState,
    #[serde(skip)]
    path: PathBuf,
}

/// What a new leaf certificate says.
pub(crate) struct LeafRequest<'a> {
    pub ca: CaKind,
    pub public_key: &'a RsaPublicKey,
    pub holder: &'a HolderProfile,
    pub not_before: Date,
    pub not_after: Date,
}

impl Jlis {
    /// Opens `dir/jlis.json`, creating the two CAs (RSA-2048) on first use.
    pub fn open_or_create(dir: &Path) -> Result<Jlis, SimError> {
        let path = dir.join(JLIS_FILE);
        if path.exists() {
            let mut jlis: Jlis = persist::load(&path, VERSION)?;
            jlis.path = path;
            return Ok(jlis);
        }
        let today = system_today();
        let jlis = Jlis {
            version: VERSION,
            today: None,
            next_serial: 1,
            sign_ca: new_ca(CaKind::Sign, today)?,
            auth_ca: new_ca(CaKind::Auth, today)?,
            path,
        };
        jlis.save()?;
        Ok(jlis)
    }

    /// Opens the J-LIS that issued the card at `card_path` (it lives beside it).
    pub fn for_card(card_path: &Path) -> Result<Jlis, SimError> {
        Jlis::open_or_create(card_dir(card_path))
    }

    /// Writes the state back atomically.
    pub fn save(&self) -> Result<(), SimError> {
        persist::save(&self.path, self)
    }

    /// The simulated date: the override if set, else today in Japan.
    pub fn today(&self) -> Date {
        self.today.unwrap_or_else(system_today)
    }

    /// Whether the clock is fixed (`Some`) or follows the system (`None`).
    pub fn clock_override(&self) -> Option<Date> {
        self.today
    }

    /// Fixes the simulated date (`Some`) or returns to the system clock (`None`), and saves.
    pub fn set_clock(&mut self, today: Option<Date>) -> Result<(), SimError> {
        self.today = today;
        self.save()
    }

    /// The CA certificate (DER).
    pub fn ca_cert_der(&self, ca: CaKind) -> &[u8] {
        &self.ca(ca).cert_der
    }

    /// Every revocation recorded by `ca`.
    pub fn revocations(&self, ca: CaKind) -> &[Revocation] {
        &self.ca(ca).revoked
    }

    /// The reason `serial` is on `ca`'s CRL, if it is.
    pub fn revocation_of(&self, ca: CaKind, serial: &str) -> Option<RevocationReason> {
        self.ca(ca)
            .revoked
            .iter()
            .find(|r| r.serial == serial)
            .map(|r| r.reason)
    }

    /// Puts `serial` on `ca`'s CRL (replacing a hold by a final reason), and saves.
    pub fn revoke(
        &mut self,
        ca: CaKind,
        serial: &str,
        reason: RevocationReason,
    ) -> Result<(), SimError> {
        let today = self.today();
        let list = &mut self.ca_mut(ca).revoked;
        list.retain(|r| r.serial != serial);
        list.push(Revocation {
            serial: serial.to_owned(),
            revoked_on: today,
            reason,
        });
        self.save()
    }

    /// Takes a suspended (`certificateHold`) certificate off the CRL, and saves.
    pub fn release_hold(&mut self, ca: CaKind, serial: &str) -> Result<bool, SimError> {
        let list = &mut self.ca_mut(ca).revoked;
        let before = list.len();
        list.retain(|r| !(r.serial == serial && r.reason == RevocationReason::CertificateHold));
        let released = list.len() != before;
        self.save()?;
        Ok(released)
    }

    /// A freshly signed CRL (DER) for `ca`: this update now, next update a day later.
    pub fn crl_der(&self, ca: CaKind) -> Result<Vec<u8>, SimError> {
        let state = self.ca(ca);
        let key = load_key(&state.key_pem)?;
        let signer = SigningKey::<Sha256>::new(key);
        let ca_cert = x509_cert::Certificate::from_der(&state.cert_der).map_err(SimError::issue)?;
        let issuer = ca_cert.tbs_certificate.subject.clone();
        // The CRL is dated by the simulated clock, so verifiers judging "as of" that day accept it.
        let now = match self.today {
            Some(day) => day.midnight().assume_offset(jst()),
            None => OffsetDateTime::now_utc(),
        };
        let this_update = to_time(now)?;
        let next_update = to_time(now + time::Duration::days(1))?;
        let mut revoked = Vec::new();
        for r in &state.revoked {
            let serial_bytes = hex::decode(&r.serial).map_err(SimError::issue)?;
            let ext = r
                .reason
                .crl_reason()
                .to_extension(&issuer, &[])
                .map_err(SimError::issue)?;
            revoked.push(RevokedCert {
                serial_number: SerialNumber::new(&serial_bytes).map_err(SimError::issue)?,
                revocation_date: to_time(r.revoked_on.midnight().assume_offset(jst()))?,
                crl_entry_extensions: Some(vec![ext]),
            });
        }
        let aki = AuthorityKeyIdentifier::try_from(
            ca_cert
                .tbs_certificate
                .subject_public_key_info
                .owned_to_ref(),
        )
        .map_err(SimError::issue)?
        .to_extension(&issuer, &[])
        .map_err(SimError::issue)?;
        let tbs = TbsCertList {
            version: x509_cert::Version::V2,
            signature: signer
                .signature_algorithm_identifier()
                .map_err(SimError::issue)?,
            issuer,
            this_update,
            next_update: Some(next_update),
            revoked_certificates: (!revoked.is_empty()).then_some(revoked),
            crl_extensions: Some(vec![aki]),
        };
        let tbs_der = tbs.to_der().map_err(SimError::issue)?;
        let sig = signer.sign(&tbs_der).to_vec();
        let crl = CertificateList {
            signature_algorithm: tbs.signature.clone(),
            tbs_cert_list: tbs,
            signature: BitString::from_bytes(&sig).map_err(SimError::issue)?,
        };
        crl.to_der().map_err(SimError::issue)
    }

    /// `ca`'s delegated OCSP responder: its certificate and private key (PEM), made and saved
    /// on first use. The certificate is signed by the CA and carries id-kp-OCSPSigning and
    /// id-pkix-ocsp-nocheck, as a responder certificate RFC 6960 §4.2.2.2 accepts; it is valid
    /// as long as the CA is.
    pub fn ocsp_responder(&mut self, ca: CaKind) -> Result<(String, String), SimError> {
        if self.ca(ca).responder.is_none() {
            let responder = new_responder(ca, self.ca(ca))?;
            self.ca_mut(ca).responder = Some(responder);
            self.save()?;
        }
        let responder = self
            .ca(ca)
            .responder
            .as_ref()
            .ok_or_else(|| SimError::Issue("no OCSP responder".into()))?;
        let cert = der::pem::encode_string("CERTIFICATE", LineEnding::LF, &responder.cert_der)
            .map_err(SimError::issue)?;
        Ok((cert, responder.key_pem.clone()))
    }

    /// An OpenSSL CA database (`index.txt`) for `ca`, as `openssl ocsp -index` reads it: one
    /// line per certificate in `certificates` (DER; those of other CAs are skipped), `V`alid or
    /// `R`evoked with the day and reason of [`Jlis::revocations`], and an `R` line for every
    /// other revoked serial (a certificate no longer on any card), so that none answers "good".
    pub fn openssl_index(&self, ca: CaKind, certificates: &[&[u8]]) -> Result<String, SimError> {
        let state = self.ca(ca);
        let ca_cert = x509_cert::Certificate::from_der(&state.cert_der).map_err(SimError::issue)?;
        let ca_subject = &ca_cert.tbs_certificate.subject;
        let mut lines = String::new();
        let mut listed = Vec::new();
        let mut line = |serial: &str, expires: Time, subject: String| -> Result<(), SimError> {
            let expires = index_time_of(expires)?;
            let status = match state.revoked.iter().find(|r| r.serial == serial) {
                Some(r) => format!(
                    "R\t{expires}\t{},{}",
                    index_time(r.revoked_on.midnight().assume_offset(jst()))?,
                    r.reason.openssl_name()
                ),
                None => format!("V\t{expires}\t"),
            };
            lines.push_str(&format!("{status}\t{serial}\tunknown\t{subject}\n"));
            Ok(())
        };
        for der in certificates {
            let cert = x509_cert::Certificate::from_der(der).map_err(SimError::issue)?;
            let tbs = &cert.tbs_certificate;
            if tbs.issuer != *ca_subject {
                continue;
            }
            let serial = openssl_serial(tbs.serial_number.as_bytes());
            let subject = openssl_subject(&tbs.subject);
            line(&serial, tbs.validity.not_after, subject)?;
            listed.push(serial);
        }
        for r in &state.revoked {
            let serial = openssl_serial(&hex::decode(&r.serial).map_err(SimError::issue)?);
            if !listed.contains(&serial) {
                let subject = format!("/CN=no longer on a card {serial}");
                line(&serial, ca_cert.tbs_certificate.validity.not_after, subject)?;
            }
        }
        Ok(lines)
    }

    /// A card-verifiable certificate (`7F 21`) for an on-card application's key, signed by
    /// this J-LIS's signing CA key; the references are `(authority, holder)` as a test card
    /// shows them (card-info: `6000033`, `1322131`).
    pub(crate) fn card_verifiable_certificate(
        &self,
        key: &RsaPublicKey,
        (authority, holder): (&str, &str),
    ) -> Result<Vec<u8>, SimError> {
        use crate::engine::app_key;
        let authority = app_key::reference(authority, "001");
        let holder = app_key::reference(holder, "000");
        let body = app_key::cvc_body(&authority, &holder, key);
        let ca_key = load_key(&self.ca(CaKind::Sign).key_pem)?;
        Ok(app_key::cvc(&body, &app_key::sign_sha256(&ca_key, &body)))
    }

    /// Issues a JPKI-shaped leaf certificate and returns it (DER) with its serial (hex). Saves.
    pub(crate) fn issue(&mut self, req: &LeafRequest<'_>) -> Result<(Vec<u8>, String), SimError> {
        let serial_value = self.next_serial;
        self.next_serial += 1;
        // Positive, non-zero, 8 bytes: looks like a real serial and is unique per J-LIS.
        let serial_bytes = [&[0x01u8][..], &serial_value.to_be_bytes()[1..]].concat();
        let serial = SerialNumber::new(&serial_bytes).map_err(SimError::issue)?;
        let serial_hex = hex::encode_upper(&serial_bytes);

        let state = self.ca(req.ca).clone();
        let ca_key = load_key(&state.key_pem)?;
        let signer = SigningKey::<Sha256>::new(ca_key);
        let ca_cert = x509_cert::Certificate::from_der(&state.cert_der).map_err(SimError::issue)?;
        let municipality = &req.holder.municipality;
        let subject = match req.ca {
            CaKind::Sign => {
                let cn = sign_common_name(req.not_before, serial_value, municipality);
                format!(
                    "CN={cn},L={},L={},C=JP",
                    rfc4514_escape(&municipality.name),
                    rfc4514_escape(&municipality.prefecture)
                )
            }
            CaKind::Auth => format!("CN={},C=JP", auth_common_name(serial_value, municipality)),
        };
        let subject = Name::from_str(&subject).map_err(SimError::issue)?;
        let spki =
            SubjectPublicKeyInfoOwned::from_key(req.public_key.clone()).map_err(SimError::issue)?;
        let validity = Validity {
            not_before: to_time(req.not_before.midnight().assume_offset(jst()))?,
            not_after: to_time(
                req.not_after
                    .with_time(TimeOfDay::from_hms(23, 59, 59).expect("valid time"))
                    .assume_offset(jst()),
            )?,
        };
        let ca_name = ca_cert.tbs_certificate.subject.clone();
        let mut builder = CertificateBuilder::new(
            Profile::Manual {
                issuer: Some(ca_name.clone()),
            },
            serial,
            validity,
            subject,
            spki.clone(),
            &signer,
        )
        .map_err(SimError::issue)?;
        // In the order of the real certificates.
        let usages = match req.ca {
            CaKind::Sign => KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
            CaKind::Auth => KeyUsages::DigitalSignature.into(),
        };
        let mut extensions = vec![extension(&KeyUsage(usages), true)?];
        match req.ca {
            CaKind::Auth => extensions.push(extension(
                &ExtendedKeyUsage(vec![kazasu_core::cert::CLIENT_AUTH_OID]),
                false,
            )?),
            CaKind::Sign => extensions.push(extension(&holder_alt_names(req.holder)?, false)?),
        }
        let policy = match req.ca {
            CaKind::Auth => kazasu_core::cert::AUTH_POLICY_OID,
            CaKind::Sign => kazasu_core::cert::SIGN_POLICY_OID,
        };
        extensions.push(extension(&policies(policy)?, true)?);
        extensions.push(extension(&issuer_alt_name(req.ca)?, false)?);
        extensions.push(extension(
            &crl_distribution_point(req.ca, municipality)?,
            false,
        )?);
        if req.ca == CaKind::Auth {
            extensions.push(extension(&ocsp_access()?, false)?);
        }
        let key_id = SubjectKeyIdentifier::try_from(
            ca_cert
                .tbs_certificate
                .subject_public_key_info
                .owned_to_ref(),
        )
        .map_err(SimError::issue)?;
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(key_id.0),
            authority_cert_issuer: Some(vec![GeneralName::DirectoryName(ca_name)]),
            authority_cert_serial_number: Some(ca_cert.tbs_certificate.serial_number.clone()),
        };
        extensions.push(extension(&aki, false)?);
        let ski = SubjectKeyIdentifier::try_from(spki.owned_to_ref()).map_err(SimError::issue)?;
        extensions.push(extension(&ski, false)?);
        for ext in extensions {
            builder
                .add_extension(&Prebuilt(ext))
                .map_err(SimError::issue)?;
        }
        let cert = builder
            .build::<rsa::pkcs1v15::Signature>()
            .map_err(SimError::issue)?;
        let der = cert.to_der().map_err(SimError::issue)?;
        self.save()?;
        Ok((der, serial_hex))
    }

    fn ca(&self, ca: CaKind) -> &CaState {
        match ca {
            CaKind::Sign => &self.sign_ca,
            CaKind::Auth => &self.auth_ca,
        }
    }

    fn ca_mut(&mut self, ca: CaKind) -> &mut CaState {
        match ca {
            CaKind::Sign => &mut self.sign_ca,
            CaKind::Auth => &mut self.auth_ca,
        }
    }
}

/// The directory a card file lives in (its J-LIS is there too).
pub(crate) fn card_dir(card_path: &Path) -> &Path {
    match card_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Japan Standard Time.
pub(crate) fn jst() -> UtcOffset {
    UtcOffset::from_hms(9, 0, 0).expect("+09:00 is valid")
}

fn system_today() -> Date {
    OffsetDateTime::now_utc().to_offset(jst()).date()
}

/// A new RSA-2048 key from the OS's random source (slow: about a second).
pub(crate) fn generate_key() -> Result<RsaPrivateKey, SimError> {
    RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).map_err(SimError::issue)
}

/// PKCS#8 PEM of a private key, as stored in the state files.
pub(crate) fn key_to_pem(key: &RsaPrivateKey) -> Result<String, SimError> {
    Ok(key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(SimError::issue)?
        .to_string())
}

/// Parses a PKCS#8 PEM private key from a state file.
pub(crate) fn load_key(pem: &str) -> Result<RsaPrivateKey, SimError> {
    RsaPrivateKey::from_pkcs8_pem(pem)
        .map_err(|e| SimError::Issue(format!("stored key unreadable: {e}")))
}

fn to_time(t: OffsetDateTime) -> Result<Time, SimError> {
    let secs = u64::try_from(t.unix_timestamp())
        .map_err(|_| SimError::Issue("date before 1970".into()))?;
    let since_epoch = Duration::from_secs(secs);
    // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
    if t.year() < 2050 {
        Ok(Time::UtcTime(
            UtcTime::from_unix_duration(since_epoch).map_err(SimError::issue)?,
        ))
    } else {
        Ok(Time::GeneralTime(
            GeneralizedTime::from_unix_duration(since_epoch).map_err(SimError::issue)?,
        ))
    }
}

/// The name of a simulated CA: J-LIS's form (`C=JP, O=…, OU=JPKI for …, OU=<operator>`) with
/// the test organisation and the simulator named where J-LIS names itself.
pub fn ca_name(ca: CaKind) -> String {
    format!(
        "OU={},OU={},O={TEST_ORGANISATION},C=JP",
        rfc4514_escape(SIMULATOR_UNIT),
        ca_unit(ca)
    )
}

/// J-LIS's organisational unit for each CA.
fn ca_unit(ca: CaKind) -> &'static str {
    match ca {
        CaKind::Sign => "JPKI for digital signature",
        CaKind::Auth => "JPKI for user authentication",
    }
}

fn new_ca(ca: CaKind, today: Date) -> Result<CaState, SimError> {
    let key = generate_key()?;
    let signer = SigningKey::<Sha256>::new(key.clone());
    let subject = Name::from_str(&ca_name(ca)).map_err(SimError::issue)?;
    let spki =
        SubjectPublicKeyInfoOwned::from_key(signer.verifying_key()).map_err(SimError::issue)?;
    let not_before = today.midnight().assume_offset(jst()) - time::Duration::days(3650);
    let not_after = today.midnight().assume_offset(jst()) + time::Duration::days(365 * 30);
    let validity = Validity {
        not_before: to_time(not_before)?,
        not_after: to_time(not_after)?,
    };
    let builder = CertificateBuilder::new(
        Profile::Root,
        SerialNumber::from(1u32),
        validity,
        subject,
        spki,
        &signer,
    )
    .map_err(SimError::issue)?;
    let cert = builder
        .build::<rsa::pkcs1v15::Signature>()
        .map_err(SimError::issue)?;
    Ok(CaState {
        key_pem: key_to_pem(&key)?,
        cert_der: cert.to_der().map_err(SimError::issue)?,
        revoked: Vec::new(),
        responder: None,
    })
}

/// A delegated OCSP responder for `ca`: a new key and a certificate the CA signs for it.
fn new_responder(ca: CaKind, state: &CaState) -> Result<Responder, SimError> {
    let key = generate_key()?;
    let ca_key = load_key(&state.key_pem)?;
    let signer = SigningKey::<Sha256>::new(ca_key);
    let ca_cert = x509_cert::Certificate::from_der(&state.cert_der).map_err(SimError::issue)?;
    let ca_name = ca_cert.tbs_certificate.subject.clone();
    let subject = Name::from_str(&format!("CN=OCSP Responder,{}", self::ca_name(ca)))
        .map_err(SimError::issue)?;
    let spki =
        SubjectPublicKeyInfoOwned::from_key(RsaPublicKey::from(&key)).map_err(SimError::issue)?;
    let mut builder = CertificateBuilder::new(
        Profile::Manual {
            issuer: Some(ca_name),
        },
        SerialNumber::from(RESPONDER_SERIAL),
        ca_cert.tbs_certificate.validity,
        subject,
        spki.clone(),
        &signer,
    )
    .map_err(SimError::issue)?;
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(
            SubjectKeyIdentifier::try_from(
                ca_cert
                    .tbs_certificate
                    .subject_public_key_info
                    .owned_to_ref(),
            )
            .map_err(SimError::issue)?
            .0,
        ),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    let nocheck = Extension {
        extn_id: ID_PKIX_OCSP_NOCHECK,
        critical: false,
        extn_value: OctetString::new(der::asn1::Null.to_der().map_err(SimError::issue)?)
            .map_err(SimError::issue)?,
    };
    let extensions = [
        extension(&KeyUsage(KeyUsages::DigitalSignature.into()), true)?,
        extension(&ExtendedKeyUsage(vec![ID_KP_OCSP_SIGNING]), false)?,
        nocheck,
        extension(&aki, false)?,
        extension(
            &SubjectKeyIdentifier::try_from(spki.owned_to_ref()).map_err(SimError::issue)?,
            false,
        )?,
    ];
    for ext in extensions {
        builder
            .add_extension(&Prebuilt(ext))
            .map_err(SimError::issue)?;
    }
    let cert = builder
        .build::<rsa::pkcs1v15::Signature>()
        .map_err(SimError::issue)?;
    Ok(Responder {
        key_pem: key_to_pem(&key)?,
        cert_der: cert.to_der().map_err(SimError::issue)?,
    })
}

/// A serial as OpenSSL's index writes it: uppercase hex without leading zero bytes.
fn openssl_serial(bytes: &[u8]) -> String {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    match &bytes[start..] {
        [] => "00".to_owned(),
        rest => hex::encode_upper(rest),
    }
}

/// A name as OpenSSL's index writes it (`/C=JP/O=…/CN=…`), in DER order.
fn openssl_subject(name: &Name) -> String {
    name.0
        .iter()
        .map(|rdn| format!("/{rdn}"))
        .collect::<String>()
}

/// A time as OpenSSL's index writes it: `YYMMDDHHMMSSZ` (UTCTime) before 2050.
fn index_time(t: OffsetDateTime) -> Result<String, SimError> {
    index_time_of(to_time(t)?)
}

fn index_time_of(t: Time) -> Result<String, SimError> {
    let t = OffsetDateTime::from_unix_timestamp(
        i64::try_from(t.to_unix_duration().as_secs()).map_err(SimError::issue)?,
    )
    .map_err(SimError::issue)?;
    let full = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    Ok(if t.year() < 2050 {
        full[2..].to_owned()
    } else {
        full
    })
}

fn holder_alt_names(holder: &HolderProfile) -> Result<SubjectAltName, SimError> {
    // The era digit then YYYYMMDD, as real cards write it.
    let birth = kazasu_core::cert::birth_date_value(holder.birth_date);
    let sex = holder.sex.to_string();
    // In the order of the real certificate: name, birth date, sex, address, then alternatives.
    let values: [(u32, &str); 6] = [
        (1, &holder.name),
        (4, &birth),
        (3, &sex),
        (5, &holder.address),
        (2, holder.name_alt_or_placeholder()),
        (6, holder.address_alt_or_placeholder()),
    ];
    let mut names = Vec::new();
    for (n, value) in values {
        let oid = const_oid::ObjectIdentifier::new(&format!("{HOLDER_ARC}.{n}"))
            .map_err(SimError::issue)?;
        let utf8 = Utf8StringRef::new(value).map_err(SimError::issue)?;
        let value = Any::encode_from(&utf8).map_err(SimError::issue)?;
        names.push(GeneralName::OtherName(OtherName {
            type_id: oid,
            value,
        }));
    }
    Ok(SubjectAltName(names))
}

/// An extension already encoded, with the criticality the real certificates give it (the
/// builder's defaults differ: certificatePolicies non-critical, extendedKeyUsage critical).
struct Prebuilt(Extension);

impl const_oid::AssociatedOid for Prebuilt {
    // Unused: `to_extension` below returns the stored extension with its own OID.
    const OID: const_oid::ObjectIdentifier = const_oid::ObjectIdentifier::new_unwrap("0.0");
}

impl Encode for Prebuilt {
    fn encoded_len(&self) -> der::Result<der::Length> {
        der::Length::try_from(self.0.extn_value.as_bytes().len())
    }

    fn encode(&self, writer: &mut impl der::Writer) -> der::Result<()> {
        writer.write(self.0.extn_value.as_bytes())
    }
}

impl AsExtension for Prebuilt {
    fn critical(&self, _subject: &Name, _extensions: &[Extension]) -> bool {
        self.0.critical
    }

    fn to_extension(&self, _subject: &Name, _extensions: &[Extension]) -> der::Result<Extension> {
        Ok(self.0.clone())
    }
}

/// Encodes `value` as an extension with the given criticality.
fn extension<T: const_oid::AssociatedOid + Encode>(
    value: &T,
    critical: bool,
) -> Result<Extension, SimError> {
    Ok(Extension {
        extn_id: T::OID,
        critical,
        extn_value: OctetString::new(value.to_der().map_err(SimError::issue)?)
            .map_err(SimError::issue)?,
    })
}

/// Escapes a value for an RFC 4514 string (`Name::from_str`).
fn rfc4514_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The signing certificate's common name, 28 characters like a real one
/// (`202510161726000013413221003A`): issue date and time, a 7-digit serial, the municipality
/// code, `003A`.
fn sign_common_name(issued: Date, serial: u64, municipality: &Municipality) -> String {
    format!(
        "{:04}{:02}{:02}0000{:07}{}003A",
        issued.year(),
        u8::from(issued.month()),
        issued.day(),
        serial % 10_000_000,
        municipality.code
    )
}

/// The authentication certificate's common name, 23 characters like a real one
/// (`997794E9AGCIEG13221003A`): 14 characters naming nobody, the municipality code, `003A`.
fn auth_common_name(serial: u64, municipality: &Municipality) -> String {
    format!(
        "KZ{:012}{}003A",
        serial % 1_000_000_000_000,
        municipality.code
    )
}

/// The policy of the certificate, with the practice statement's URL as qualifier.
fn policies(policy: const_oid::ObjectIdentifier) -> Result<CertificatePolicies, SimError> {
    let url = Ia5String::new(CPS_URL).map_err(SimError::issue)?;
    Ok(CertificatePolicies(vec![PolicyInformation {
        policy_identifier: policy,
        policy_qualifiers: Some(vec![PolicyQualifierInfo {
            policy_qualifier_id: ID_QT_CPS,
            qualifier: Some(Any::encode_from(&url).map_err(SimError::issue)?),
        }]),
    }]))
}

/// The issuer alternative name: a Japanese directory name, as J-LIS writes
/// `C=JP, O=公的個人認証サービス, OU=公的個人認証サービス署名用|利用者証明用, OU=<operator>`.
fn issuer_alt_name(ca: CaKind) -> Result<IssuerAltName, SimError> {
    let unit = match ca {
        CaKind::Sign => "公的個人認証サービス署名用",
        CaKind::Auth => "公的個人認証サービス利用者証明用",
    };
    let name = Name::from_str(&format!(
        "OU={},OU={unit},O=公的個人認証サービス,C=JP",
        rfc4514_escape(SIMULATOR_UNIT_JA)
    ))
    .map_err(SimError::issue)?;
    Ok(IssuerAltName(vec![GeneralName::DirectoryName(name)]))
}

/// The CRL distribution point: a directory name per municipality, no URL, as on real cards
/// (`…, OU=CRL Distribution Points, OU=<prefecture>, CN=<municipality> CRLDP`). The CRL itself
/// is issued under the CA's name, which is what OpenSSL matches when given the CRL.
fn crl_distribution_point(
    ca: CaKind,
    municipality: &Municipality,
) -> Result<CrlDistributionPoints, SimError> {
    let name = Name::from_str(&format!(
        "CN={} CRLDP,OU={},OU=CRL Distribution Points,OU={},O={TEST_ORGANISATION},C=JP",
        rfc4514_escape(&municipality.name),
        rfc4514_escape(&municipality.prefecture),
        ca_unit(ca)
    ))
    .map_err(SimError::issue)?;
    Ok(CrlDistributionPoints(vec![DistributionPoint {
        distribution_point: Some(DistributionPointName::FullName(vec![
            GeneralName::DirectoryName(name),
        ])),
        reasons: None,
        crl_issuer: None,
    }]))
}

/// The authentication certificate's OCSP responder.
fn ocsp_access() -> Result<AuthorityInfoAccessSyntax, SimError> {
    Ok(AuthorityInfoAccessSyntax(vec![AccessDescription {
        access_method: ID_AD_OCSP,
        access_location: GeneralName::UniformResourceIdentifier(
            Ia5String::new(OCSP_URL).map_err(SimError::issue)?,
        ),
    }]))
}
