//! The fixed test vectors of spec §11.1, §11.2, §11.4, §11.6 and §11.8, byte for byte.

use serde_json::Value;
use toz::sdk::access_key::AccessKey;
use toz::sdk::credentials::Credentials;
use toz::sdk::crypto;
use toz::sdk::{fields, note_crypto, signatures, tsv1};

/// §11.1: the credentials object from PY's TSV1 test (stray `\"` in api_url is in the source).
const PY_TSV1_CREDENTIALS: &str = r#"{
    "private_signing_key": "d55u6bLR9tkMVA4OwYIPepOOeXVSHHEit8VoXGRMQiaf5wKRk9gooP9pN3LBJ28BIW9fZ9-ZZPLVsHtuPqkRSQ",
    "public_signing_key": "n-cCkZPYKKD_aTdywSdvASFvX2ffmWTy1bB7bj6pEUk",
    "private_key": "hZ-7-YM149qi2OXxdmFyUPKuLIItmmwSuvk5ZJ64JKo",
    "api_secret": "87accc0775dd5613574e4b67e85a6b4505d4ceeb879e573f4561c79adaeeebc1",
    "client_id": "0e8eb8c6-839f-46ca-9843-801c539e490f",
    "public_key": "zi2mH1QqnX9ZlUQBPcK1a4QLbwx4iTY21u5olrx5jns",
    "version": "2",
    "api_key_id": "081a1b3905485fcb6581be11e2c174bf2185e8326d139354bb68a77c2b591c6",
    "api_url": "\"http://platform.local.tozny.com:8000",
    "client_email": ""
}"#;

fn py_credentials() -> Credentials {
    Credentials::from_json(PY_TSV1_CREDENTIALS).expect("§11.1 credentials load and validate")
}

fn hex(bytes: &[u8]) -> String {
    crypto::hex_lower(bytes)
}

#[test]
fn tsv1_python_vector_11_1() {
    let creds = py_credentials();
    let header = tsv1::header_string(
        &creds.public_signing_key,
        1_000_000_000,
        "59a7d5b6-35d2-41fd-99b2-066a07bd1632",
        &creds.client_id,
    );
    let text = tsv1::string_to_hash("/x/y%2Fz", "bar=baz&foo=quux", "POST", &header);
    assert_eq!(
        text,
        "/x/y%2Fz; bar=baz&foo=quux; POST; TSV1-ED25519-BLAKE2B; n-cCkZPYKKD_aTdywSdvASFvX2ffmWTy1bB7bj6pEUk; 1000000000; 59a7d5b6-35d2-41fd-99b2-066a07bd1632; uid:0e8eb8c6-839f-46ca-9843-801c539e490f"
    );
    let digest = crypto::blake2b_256(&[text.as_bytes()]);
    assert_eq!(
        hex(&digest),
        "8e480794b093521ce2a1fa7e6f7afa394ff38b23869389f3165cdb15bfebfdc7"
    );

    let value = tsv1::sign(
        "/x/y%2Fz",
        "foo=quux&bar=baz",
        "post",
        &creds.signing_public().unwrap(),
        &creds.signing_secret().unwrap(),
        1_000_000_000,
        "59a7d5b6-35d2-41fd-99b2-066a07bd1632",
        &creds.client_id,
    );
    assert_eq!(
        value,
        "TSV1-ED25519-BLAKE2B; n-cCkZPYKKD_aTdywSdvASFvX2ffmWTy1bB7bj6pEUk; 1000000000; 59a7d5b6-35d2-41fd-99b2-066a07bd1632; uid:0e8eb8c6-839f-46ca-9843-801c539e490f; Gz2ONHJF6kcUX-2yZdveMuSShDf709wciDhbifNBQeAaGqqMW7B6DbQYlZ7KykvIX1DHZ7tolTH6u-gXq_n5CQ"
    );
    let parsed = tsv1::parse(&value).unwrap();
    assert!(tsv1::verify(
        &parsed,
        "/x/y%2Fz",
        "foo=quux&bar=baz",
        "POST"
    ));
    assert!(!tsv1::verify(
        &parsed,
        "/x/y%2Fz",
        "foo=quux&bar=bay",
        "POST"
    ));
    assert!(!tsv1::verify(
        &parsed,
        "/x/y%2Fz",
        "foo=quux&bar=baz",
        "GET"
    ));
}

#[test]
fn python_credentials_keys_are_consistent_11_1() {
    let creds = py_credentials();
    let secret = creds.box_secret().unwrap();
    assert_eq!(
        crypto::b64url_encode(&crypto::box_public_key(&secret)),
        creds.public_key
    );
    assert_eq!(
        &creds.signing_secret().unwrap()[32..],
        &creds.signing_public().unwrap()[..]
    );
}

#[test]
fn derived_tsv1_vectors_11_8() {
    let creds = py_credentials();
    let (pk, sk) = (
        creds.signing_public().unwrap(),
        creds.signing_secret().unwrap(),
    );

    let anon = tsv1::sign(
        "/v2/storage/notes",
        "note_id=b63ee3db-cbc7-4b92-ad77-45c18134ec0a",
        "GET",
        &pk,
        &sk,
        1_700_000_000,
        "00000000-0000-4000-8000-000000000000",
        "",
    );
    assert_eq!(
        anon,
        "TSV1-ED25519-BLAKE2B; n-cCkZPYKKD_aTdywSdvASFvX2ffmWTy1bB7bj6pEUk; 1700000000; 00000000-0000-4000-8000-000000000000; uid:; trJ-w5SQoAHStCrPmdK5aK9ZYbgz-TX8AVBbB6i_H4SIxscvnfWIosgQXibcYe63yNVR6exviA5fJKMy8bOtCg"
    );
    let text = tsv1::string_to_hash(
        "/v2/storage/notes",
        "note_id=b63ee3db-cbc7-4b92-ad77-45c18134ec0a",
        "GET",
        &tsv1::header_string(
            &creds.public_signing_key,
            1_700_000_000,
            "00000000-0000-4000-8000-000000000000",
            "",
        ),
    );
    assert_eq!(
        hex(&crypto::blake2b_256(&[text.as_bytes()])),
        "2f6a4a9ec6c86f8f42837a0a993753946cf803f782c67b8b795f769eacee42b0"
    );

    let post = tsv1::sign(
        "/v1/storage/records",
        "",
        "POST",
        &pk,
        &sk,
        1_700_000_000,
        "11111111-1111-4111-8111-111111111111",
        &creds.client_id,
    );
    let header = tsv1::header_string(
        &creds.public_signing_key,
        1_700_000_000,
        "11111111-1111-4111-8111-111111111111",
        &creds.client_id,
    );
    let text = tsv1::string_to_hash("/v1/storage/records", "", "POST", &header);
    assert_eq!(
        hex(&crypto::blake2b_256(&[text.as_bytes()])),
        "8e825e4f8c63fc552095df16bfa35f7489feedef2c060cc701ab3b7d243069e0"
    );
    assert!(post.ends_with(
        "; 32Hh8LN7wfLELi7jDu5Shk0XnmFB0epkfYDrOO8kf88yj24LL3LjoUse6jDJN6OI1iEhSYfncC_6ZIdLihCwDQ"
    ));
}

#[test]
fn field_encryption_vector_11_8() {
    let ak = AccessKey::from_bytes([1; 32]);
    let value = fields::encrypt_field_with(&ak, &[2; 32], &[3; 24], &[4; 24], b"hello");
    assert_eq!(
        value,
        "fPJ5W9A1-5rtDWMAA6WgZ0sAJX3AcemY96aE2CxtqSf922Y_TsWZyxyuHMCLZAiy.BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE.KGFNj0rp2zg8e182d5AdTGPAxE8u.AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMD"
    );
    assert_eq!(&fields::decrypt_field(&ak, &value).unwrap()[..], b"hello");
    let wrong = AccessKey::from_bytes([9; 32]);
    assert_eq!(
        fields::decrypt_field(&wrong, &value).unwrap_err().kind(),
        toz::sdk::ErrorKind::Crypto
    );
}

#[test]
fn eak_vector_11_8() {
    let ak = AccessKey::from_bytes([1; 32]);
    let writer_secret =
        crypto::b64url_decode_array::<32>("hZ-7-YM149qi2OXxdmFyUPKuLIItmmwSuvk5ZJ64JKo", "k")
            .unwrap();
    let reader_public =
        crypto::b64url_decode_array::<32>("88ph_j2dytMVTBsgCm-9hU608WyJgpB51BuWDQa9AGI", "k")
            .unwrap();
    let eak = ak.encrypt_for_with_nonce(&reader_public, &writer_secret, &[5; 24]);
    assert_eq!(
        eak,
        "gN3BAf6k_Nav-6FCvaylBEaHmRPlRKbfVfSPFepzS5UUmDLFSaVW367eCeaJZJxF.BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUF"
    );
    let reader_secret =
        crypto::b64url_decode_array::<32>("iCiUo33otFUyyMp_XQZvdSG4S51HG8gypBEhRI_E3W8", "k")
            .unwrap();
    let writer_public =
        crypto::b64url_decode_array::<32>("zi2mH1QqnX9ZlUQBPcK1a4QLbwx4iTY21u5olrx5jns", "k")
            .unwrap();
    assert_eq!(
        AccessKey::decrypt_eak(&eak, &writer_public, &reader_secret).unwrap(),
        ak
    );
}

#[test]
fn signed_field_vector_11_8() {
    let creds = py_credentials();
    let signed = signatures::sign_field(
        "secret",
        "data",
        &creds.signing_secret().unwrap(),
        "c720777d-fe43-4ded-bf90-90d2726f113e",
    );
    assert_eq!(
        signed,
        "e7737e7c-1637-511e-8bab-93c4f3e26fd9;c720777d-fe43-4ded-bf90-90d2726f113e;86;cuE_IUsla95w5ps9VGqrnm4b52ujBd2cFagsQk-o4l10ArMn4MTtKAtH6qxDx3uDobXuQiWnRrMSR-yxMuxwCwdata"
    );
    let pk = creds.signing_public().unwrap();
    let (salt, plain) = signatures::verify_field("secret", &signed, &pk, None).unwrap();
    assert_eq!(
        (salt, plain),
        ("c720777d-fe43-4ded-bf90-90d2726f113e", "data")
    );
    assert!(signatures::verify_field("other", &signed, &pk, None).is_err());
    assert!(signatures::verify_field("secret", &signed, &pk, Some("another-salt")).is_err());
}

#[test]
fn note_decryption_vector_11_2() {
    let note: Value = serde_json::json!({
        "writer_encryption_key": "c7F5iyzDblgJEIR4Ks7r32YuqOZXD2fW_hPvBCzVEgU",
        "writer_signing_key": "Yn-I-ceRTjVpoJOSOrJvc03R9xT4YV7Sptxo-eQYN5w",
        "recipient_signing_key": "MpSWcRYZqLRzIaxl6sYno7WPy0O6t2vjttkoj_pn_5Y",
        "encrypted_access_key": "Dmf1mPsezH0t6BRBinn4HT5vv6YqvFuB9izOXpp_jmTzkqMojEue5yRi1fHLJyBD._ah4FepASuU0Yh76ZUG3cRbphZXdO5t7",
        "mode": "Sodium",
        "data": {"secret": "qD3qRA3Pte8v6iJAeP18IqwdqR9p4PepqYiglhbltS5KxpFVqR2GCZLxsy563Xqc.DFLYPXYRIRXoRw4UnKgn_J5QeY8Wq8J5.v8frFE7NTvrb9yR0VYDoVAkUI2BzdrFzGXV114J4QaMGMIUQJY6kJod-b7Hf3A_mP-qGWdM5Jx6u0v9d8jpvsTx9NMchErz82Pa4xdL9-MkGUODCVbXawOKg1dQ_xzM-5ywB2Mcn8ozw0jQwXlxBjZNGch2ms5216OuT4M9gUhBobz4ZnW-Ul6Dh39dXFwqPx5w8-FHKIENzR80rnP00pK4muJHImqmO1-EusQGqbQVbSGTrpvOp.btq9Aw0dsr-J_0o5e0oLJb3D6mRGAo4S"},
        "signature": "e7737e7c-1637-511e-8bab-93c4f3e26fd9;356ba56c-0932-4e44-865d-d9a4ac6d33cb;86;jAdtUnN0w7Eomn3_Cq7Xe0sM34b2FYJ-uIxtqNuygmT9-5nYqK8Lm59zZABIS3eUF2igdKANiCkdHIiLaXQUAwc720777d-fe43-4ded-bf90-90d2726f113e",
    });
    let reader_secret =
        crypto::b64url_decode_array::<32>("iCiUo33otFUyyMp_XQZvdSG4S51HG8gypBEhRI_E3W8", "k")
            .unwrap();
    assert_eq!(
        crypto::b64url_encode(&crypto::box_public_key(&reader_secret)),
        "88ph_j2dytMVTBsgCm-9hU608WyJgpB51BuWDQa9AGI"
    );
    let data = note_crypto::decrypt_note(&note, &reader_secret).unwrap();
    assert_eq!(Value::Object(data), serde_json::json!({"secret": "data"}));

    // The derived AK of §11.2.
    let writer_public =
        crypto::b64url_decode_array::<32>("c7F5iyzDblgJEIR4Ks7r32YuqOZXD2fW_hPvBCzVEgU", "k")
            .unwrap();
    let ak = AccessKey::decrypt_eak(
        note["encrypted_access_key"].as_str().unwrap(),
        &writer_public,
        &reader_secret,
    )
    .unwrap();
    assert_eq!(
        hex(ak.bytes()),
        "6209f37c11e9691873f032f8a7bfb19914a787060846b9f4d906df00e80927f6"
    );

    // A note signed by someone else is refused.
    let mut forged = note.clone();
    forged["writer_signing_key"] =
        Value::String("n-cCkZPYKKD_aTdywSdvASFvX2ffmWTy1bB7bj6pEUk".into());
    assert_eq!(
        note_crypto::decrypt_note(&forged, &reader_secret)
            .unwrap_err()
            .kind(),
        toz::sdk::ErrorKind::Signature
    );
}

#[test]
fn signed_document_vector_11_4() {
    let doc: Value = serde_json::from_str(r#"{"doc":{"data":{"test_field":"QWfE7PpAjTgih1E9jyqSGex32ouzu1iF3la8fWNO5wPp48U2F5Q6kK41_8hgymWn.HW-dBzttfU6Xui-o01lOdVqchXJXqfqQ.eo8zE8peRC9qSt2ZOE8_54kOF0bWBEovuZ4.zO56Or0Pu2IFSzQZRpuXLeinTHQl7g9-"},"meta":{"plain":{"client_pub_sig_key":"fcyEKo6HSZo9iebWAQnEemVfqpTUzzR0VNBqgJJG-LY","server_sig_of_client_sig_key":"ZtmkUb6MJ-1LqpIbJadYl_PPH5JjHXKrBspprhzaD8rKM4ejGD8cJsSFO1DlR-r7u-DKsLUk82EJF65RnTmMDQ"},"type":"ticket","user_id":"d405a1ce-e528-4946-8682-4c2369a26604","writer_id":"d405a1ce-e528-4946-8682-4c2369a26604"},"rec_sig":"YsNbSXy0mVqsvgArmdESe6SkTAWFui8_NBn8ZRyxBfQHmJt7kwDU6szEqiRIaoZGrHsqgwS3uduLo_kzG6UeCA"},"sig":"iYc7G6ersNurZRr7_lWqoilr8Ve1d6HPZPPyC4YMXSvg7QvpUAHvjv4LsdMMDthk7vsVpoR0LYPC_SkIip7XCw"}"#).unwrap();
    let key = doc["doc"]["meta"]["plain"]["client_pub_sig_key"]
        .as_str()
        .unwrap();
    let key = crypto::b64url_decode_array::<32>(key, "k").unwrap();
    signatures::verify_signed_document(&doc, &key).unwrap();
    let mut tampered = doc.clone();
    tampered["doc"]["meta"]["type"] = Value::String("tickets".into());
    assert!(signatures::verify_signed_document(&tampered, &key).is_err());
}

#[test]
fn curve25519_key_encoding_round_trips_11_6() {
    for text in [
        "RMG04iil2HDaUWye9wMVG8RmIL_s5tPOilRoiLUjLT8",
        "_wSGC32a3g_VOPPy3kILDqzKLa1tPwdTNW3DQrJMPxk",
    ] {
        let bytes = crypto::b64url_decode(text).unwrap();
        assert_eq!(bytes.len(), 32);
        assert_eq!(crypto::b64url_encode(&bytes), text);
        // Padded input is accepted and re-encodes unpadded.
        assert_eq!(
            crypto::b64url_encode(&crypto::b64url_decode(&format!("{text}=")).unwrap()),
            text
        );
    }
}
