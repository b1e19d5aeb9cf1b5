//! A real RFC 3161 time-stamping authority for tests: OpenSSL's own TSA (`openssl ts -reply`)
//! behind a small HTTP front (`tests/tools/tsa_server.py`), with a test CA, a TSA certificate
//! (critical extended key usage timeStamping) and, for negative tests, a second CA nobody
//! trusts and a certificate without the timeStamping usage, all made by `openssl` at start.
//! The server is killed when the [`Tsa`] is dropped.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::child::{Killed, line_with, lines_of, log};

/// How long the HTTP front may take to start listening.
const PATIENCE: Duration = Duration::from_secs(20);

/// The policy OpenSSL's TSA puts in its tokens unless asked for another.
pub const POLICY: &str = "1.2.3.4.1";

/// The digest algorithms the TSA accepts: SHA-384 is left out so that a request with it is
/// refused (badAlg), as a real TSA refuses what its policy does not allow.
pub const ACCEPTED_DIGESTS: &[&str] = &["sha256", "sha512"];

/// The `openssl x509 -extfile` sections for the certificates made at start.
const EXTENSIONS: &str = "\
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[tsa]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[not_tsa]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

/// A running TSA and the files it was made from.
pub struct Tsa {
    dir: PathBuf,
    url: String,
    _server: Killed,
}

/// Runs `openssl` with `args` in `dir`, panicking with its output if it fails.
pub fn openssl(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {}: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A self-signed CA `name` (`name.pem`, `name.key`) in `dir`.
fn make_ca(dir: &Path, name: &str, subject: &str) {
    let (key, csr, pem) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.pem"),
    );
    openssl(
        dir,
        &[
            "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj",
            subject,
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-key",
            &key,
            "-out",
            &pem,
            "-days",
            "3650",
            "-sha256",
            "-extfile",
            "ext.cnf",
            "-extensions",
            "ca",
        ],
    );
}

/// A certificate `name` issued by the CA `ca` with the extensions `section` of [`EXTENSIONS`].
fn make_leaf(dir: &Path, name: &str, subject: &str, ca: &str, section: &str) {
    let (key, csr, pem) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.pem"),
    );
    openssl(
        dir,
        &[
            "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj",
            subject,
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-out",
            &pem,
            "-days",
            "3650",
            "-sha256",
            "-extfile",
            "ext.cnf",
            "-extensions",
            section,
        ],
    );
}

/// OpenSSL's TSA configuration: the default section answers over HTTP (ESS
/// signingCertificateV2 with SHA-256, genTime in milliseconds, the TSA's certificate alone in
/// the token); `tsa_ess_v1` names the certificate with the older SHA-1 signingCertificate, as
/// many TSAs still do, names the TSA in the TSTInfo, and adds a chain file holding the TSA's
/// and the CA's certificates, so that the token carries the TSA's certificate twice (OpenSSL
/// adds the signer's on certReq anyway), which DER's SET OF forbids; `tsa_intermediate` signs
/// with a TSA certificate issued by an intermediate CA under the test CA, and puts the
/// intermediate's certificate in the token, as public TSAs do.
fn config(dir: &Path) -> String {
    let section = |name: &str, signer: &str, ess_alg: &str, certs: &str, tsa_name: &str| {
        format!(
            "[{name}]
dir = {dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/{signer}.pem
{certs}signer_key = $dir/{signer}.key
signer_digest = sha256
default_policy = {POLICY}
other_policies = 1.2.3.4.5
digests = {digests}
accuracy = secs:1
clock_precision_digits = 3
ordering = no
tsa_name = {tsa_name}
ess_cert_id_chain = no
ess_cert_id_alg = {ess_alg}
",
            dir = dir.display(),
            digests = ACCEPTED_DIGESTS.join(", "),
        )
    };
    format!(
        "[tsa]\ndefault_tsa = tsa_default\n\n{}\n{}\n{}",
        section("tsa_default", "tsa", "sha256", "", "no"),
        section(
            "tsa_ess_v1",
            "tsa",
            "sha1",
            "certs = $dir/chain.pem\n",
            "yes"
        ),
        section(
            "tsa_intermediate",
            "sub_tsa",
            "sha256",
            "certs = $dir/sub_ca.pem\n",
            "no"
        )
    )
}

impl Tsa {
    /// Makes the CAs and certificates in `dir` and starts the TSA there; returns once it listens.
    pub fn start(dir: &Path) -> Tsa {
        fs::create_dir_all(dir).expect("TSA directory");
        fs::write(dir.join("ext.cnf"), EXTENSIONS).expect("extensions file");
        make_ca(dir, "ca", "/O=Kazasu tests/CN=Kazasu Test TSA CA");
        make_leaf(
            dir,
            "tsa",
            "/O=Kazasu tests/CN=Kazasu Test TSA",
            "ca",
            "tsa",
        );
        make_leaf(
            dir,
            "not_tsa",
            "/O=Kazasu tests/CN=Kazasu Test Signer (no timeStamping)",
            "ca",
            "not_tsa",
        );
        make_ca(dir, "untrusted_ca", "/O=Somebody else/CN=Untrusted TSA CA");
        make_leaf(
            dir,
            "sub_ca",
            "/O=Kazasu tests/CN=Kazasu Test TSA Sub CA",
            "ca",
            "ca",
        );
        make_leaf(
            dir,
            "sub_tsa",
            "/O=Kazasu tests/CN=Kazasu Test TSA under the Sub CA",
            "sub_ca",
            "tsa",
        );
        let chain = [fs::read(dir.join("tsa.pem")), fs::read(dir.join("ca.pem"))]
            .map(|r| r.expect("certificate file"))
            .concat();
        fs::write(dir.join("chain.pem"), chain).expect("chain file");
        fs::write(dir.join("tsaserial"), "01\n").expect("serial file");
        fs::write(dir.join("tsa.cnf"), config(dir)).expect("TSA configuration");

        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/tsa_server.py");
        let log_file = fs::File::create(dir.join("tsa.log")).expect("TSA log");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(dir.join("tsa.cnf"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("start tests/tools/tsa_server.py");
        let lines = lines_of(&mut child);
        let server = Killed::new(child);
        let port = line_with(&lines, "listening on", PATIENCE).unwrap_or_else(|e| {
            panic!("the TSA did not start: {e}\n{}", log(&dir.join("tsa.log")))
        });
        Tsa {
            dir: dir.to_path_buf(),
            url: format!("http://127.0.0.1:{port}/"),
            _server: server,
        }
    }

    /// The TSA's URL (HTTP POST of application/timestamp-query).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The test CA that issued the TSA's certificate (PEM): the anchor to trust.
    pub fn ca_pem(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// A CA that issued nothing here (PEM): trusting only it must refuse the TSA's tokens.
    pub fn untrusted_ca_pem(&self) -> PathBuf {
        self.dir.join("untrusted_ca.pem")
    }

    /// A CRL of the test CA made now by `openssl ca -gencrl` (valid one day), listing the TSA's
    /// certificate when `revoking_the_tsa` and nothing otherwise.
    pub fn crl(&self, revoking_the_tsa: bool) -> Vec<u8> {
        self.crl_dated(revoking_the_tsa, None)
    }

    /// Like [`Tsa::crl`], dated `(last, next)` (thisUpdate and nextUpdate as OpenSSL's
    /// `YYYYMMDDHHMMSSZ`) when given: what the CA publishes on another day.
    pub fn crl_dated(&self, revoking_the_tsa: bool, dates: Option<(&str, &str)>) -> Vec<u8> {
        let work = tempfile::tempdir_in(&self.dir).expect("work directory");
        let at = work.path().display().to_string();
        fs::write(work.path().join("index.txt"), "").expect("CA database");
        fs::write(work.path().join("crlnumber"), "01\n").expect("CRL number");
        let config = format!(
            "[ca]\ndefault_ca = test_ca\n[test_ca]\ndatabase = {at}/index.txt\n\
             crlnumber = {at}/crlnumber\ncertificate = {dir}/ca.pem\n\
             private_key = {dir}/ca.key\ndefault_md = sha256\ndefault_crl_days = 1\n",
            dir = self.dir.display()
        );
        fs::write(work.path().join("ca.cnf"), config).expect("CA configuration");
        let cnf = format!("{at}/ca.cnf");
        if revoking_the_tsa {
            openssl(&self.dir, &["ca", "-config", &cnf, "-revoke", "tsa.pem"]);
        }
        let out = format!("{at}/crl.pem");
        let mut args = vec!["ca", "-config", &cnf, "-gencrl", "-out", &out];
        if let Some((last, next)) = dates {
            args.extend(["-crl_lastupdate", last, "-crl_nextupdate", next]);
        }
        openssl(&self.dir, &args);
        fs::read(&out).expect("read CRL")
    }

    /// The TSA's certificate (PEM).
    pub fn tsa_pem(&self) -> PathBuf {
        self.dir.join("tsa.pem")
    }

    /// The directory holding the TSA's files and its log (`tsa.log`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// OpenSSL's TSA answering the DER `query` directly with the configuration `section`
    /// (`tsa_default`, or `tsa_ess_v1` for a SHA-1 signingCertificate): the response's DER.
    pub fn reply(&self, section: &str, query: &[u8]) -> Vec<u8> {
        let work = tempfile::tempdir_in(&self.dir).expect("work directory");
        let (q, r) = (work.path().join("query.tsq"), work.path().join("reply.tsr"));
        fs::write(&q, query).expect("write query");
        openssl(
            &self.dir,
            &[
                "ts",
                "-reply",
                "-config",
                "tsa.cnf",
                "-section",
                section,
                "-queryfile",
                q.to_str().expect("UTF-8 path"),
                "-out",
                r.to_str().expect("UTF-8 path"),
            ],
        );
        fs::read(&r).expect("read reply")
    }

    /// The TSTInfo of `token` signed again, with `openssl cms -sign -cades` (content type
    /// id-ct-TSTInfo, ESS signingCertificateV2), by a certificate the test CA issued without
    /// the timeStamping usage: a token exactly like the TSA's but for its signer.
    pub fn resign_without_timestamping_usage(&self, token: &[u8]) -> Vec<u8> {
        let work = tempfile::tempdir_in(&self.dir).expect("work directory");
        let path = |name: &str| {
            work.path()
                .join(name)
                .to_str()
                .expect("UTF-8 path")
                .to_owned()
        };
        fs::write(path("token.der"), token).expect("write token");
        // The eContent (the TSTInfo's DER), after OpenSSL has checked the TSA's signature.
        openssl(
            &self.dir,
            &[
                "cms",
                "-verify",
                "-noverify",
                "-inform",
                "DER",
                "-in",
                &path("token.der"),
                "-out",
                &path("tstinfo.der"),
            ],
        );
        openssl(
            &self.dir,
            &[
                "cms",
                "-sign",
                "-binary",
                "-nodetach",
                "-cades",
                "-md",
                "sha256",
                "-econtent_type",
                "1.2.840.113549.1.9.16.1.4",
                "-signer",
                "not_tsa.pem",
                "-inkey",
                "not_tsa.key",
                "-in",
                &path("tstinfo.der"),
                "-outform",
                "DER",
                "-out",
                &path("resigned.der"),
            ],
        );
        fs::read(path("resigned.der")).expect("read re-signed token")
    }
}
