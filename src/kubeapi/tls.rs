//! TLS for a session: a certificate authority generated per session (its
//! certificate goes into the kubeconfig) and a server certificate it signs for
//! `127.0.0.1` and `localhost`. kubectl sends a bearer token only over HTTPS.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;

/// A session's CA (PEM, for the kubeconfig) and the server's TLS configuration.
pub struct SessionTls {
    pub ca_pem: String,
    pub server_config: Arc<rustls::ServerConfig>,
}

/// Generates a CA and a server certificate signed by it.
pub fn generate() -> Result<SessionTls, String> {
    let ca_key = KeyPair::generate().map_err(|e| format!("generating the CA key: {e}"))?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "gitops-lab-ca");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(|e| format!("signing the CA: {e}"))?;
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().map_err(|e| format!("generating the server key: {e}"))?;
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).map_err(|e| e.to_string())?;
    params.distinguished_name.push(DnType::CommonName, "kube-apiserver");
    let server_cert = params.signed_by(&server_key, &issuer).map_err(|e| format!("signing the server certificate: {e}"))?;

    let chain = vec![CertificateDer::from(server_cert.der().to_vec())];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("TLS configuration: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(SessionTls { ca_pem: ca_cert.pem(), server_config: Arc::new(config) })
}
