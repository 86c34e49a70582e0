//! Sharing by record type, revoking, and authorizer delegation (spec §5).

use super::client::{AkId, Client};
use super::error::{Error, ErrorKind, Result};
use super::http::{Method, Request, encode_segment};
use super::wire;

impl Client {
    fn put_policy(
        &self,
        writer: &str,
        reader: &str,
        record_type: &str,
        policy: &wire::PolicyRequest,
    ) -> Result<()> {
        // The spec's order is <user>/<writer>/...; user == writer in all traffic.
        let path = format!(
            "/v1/storage/policy/{w}/{w}/{}/{}",
            encode_segment(reader),
            encode_segment(record_type),
            w = encode_segment(writer)
        );
        self.call_empty(Request::new(Method::Put, &path).json(policy)?)
    }

    fn ak_id(writer: &str, reader: &str, record_type: &str) -> AkId {
        AkId {
            writer: writer.into(),
            user: writer.into(),
            reader: reader.into(),
            record_type: record_type.into(),
        }
    }

    /// Lets `reader_id` read this client's records of `record_type`, present and future. Sharing
    /// twice is harmless.
    pub fn share(&self, record_type: &str, reader_id: &str) -> Result<()> {
        if reader_id == self.client_id() {
            return Ok(());
        }
        let ak = self.own_access_key(record_type)?;
        self.put_access_key(&Self::ak_id(self.client_id(), reader_id, record_type), &ak)?;
        self.put_policy(
            self.client_id(),
            reader_id,
            record_type,
            &wire::PolicyRequest::allow_read(),
        )
    }

    /// Stops `reader_id` reading this client's records of `record_type`: the read policy is
    /// denied first (the server refuses reads at once), then the reader's key is deleted.
    pub fn revoke(&self, record_type: &str, reader_id: &str) -> Result<()> {
        if reader_id == self.client_id() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "a client cannot revoke its own access",
            ));
        }
        self.put_policy(
            self.client_id(),
            reader_id,
            record_type,
            &wire::PolicyRequest::deny_read(),
        )?;
        self.delete_access_key(&Self::ak_id(self.client_id(), reader_id, record_type))
    }

    /// Appoints `authorizer_id` to share this client's `record_type` on its behalf.
    pub fn add_authorizer(&self, record_type: &str, authorizer_id: &str) -> Result<()> {
        let ak = self.own_access_key(record_type)?;
        self.put_access_key(
            &Self::ak_id(self.client_id(), authorizer_id, record_type),
            &ak,
        )?;
        self.put_policy(
            self.client_id(),
            authorizer_id,
            record_type,
            &wire::PolicyRequest::allow_authorizer(),
        )
    }

    /// Withdraws an authorizer; its copy of the access key is deleted.
    pub fn remove_authorizer(&self, record_type: &str, authorizer_id: &str) -> Result<()> {
        self.put_policy(
            self.client_id(),
            authorizer_id,
            record_type,
            &wire::PolicyRequest::deny_authorizer(),
        )?;
        self.delete_access_key(&Self::ak_id(self.client_id(), authorizer_id, record_type))
    }

    /// As an authorizer of `writer_id`, shares the writer's `record_type` with `reader_id`: the
    /// writer's access key is re-encrypted by this client for the reader.
    pub fn share_on_behalf_of(
        &self,
        writer_id: &str,
        record_type: &str,
        reader_id: &str,
    ) -> Result<()> {
        let mine = Self::ak_id(writer_id, self.client_id(), record_type);
        let ak = self.fetch_access_key(&mine)?.ok_or_else(|| {
            Error::new(
                ErrorKind::Forbidden,
                "this client is not an authorizer for that writer and record type",
            )
        })?;
        self.put_access_key(&Self::ak_id(writer_id, reader_id, record_type), &ak)?;
        self.put_policy(
            writer_id,
            reader_id,
            record_type,
            &wire::PolicyRequest::allow_read(),
        )
    }

    /// As an authorizer of `writer_id`, revokes a share made on the writer's behalf.
    pub fn revoke_on_behalf_of(
        &self,
        writer_id: &str,
        record_type: &str,
        reader_id: &str,
    ) -> Result<()> {
        self.put_policy(
            writer_id,
            reader_id,
            record_type,
            &wire::PolicyRequest::deny_read(),
        )?;
        self.delete_access_key(&Self::ak_id(writer_id, reader_id, record_type))
    }

    /// Readers this client shares with.
    pub fn outgoing_shares(&self) -> Result<Vec<wire::OutgoingSharing>> {
        self.call(Request::new(Method::Get, "/v1/storage/policy/outgoing"))
    }

    /// Writers sharing with this client.
    pub fn incoming_shares(&self) -> Result<Vec<wire::IncomingSharing>> {
        self.call(Request::new(Method::Get, "/v1/storage/policy/incoming"))
    }

    /// Authorizers this client has appointed.
    pub fn authorizers(&self) -> Result<Vec<wire::AuthorizerPolicy>> {
        self.call(Request::new(Method::Get, "/v1/storage/policy/proxies"))
    }

    /// Writers that appointed this client as their authorizer.
    pub fn granted_authorizations(&self) -> Result<Vec<wire::AuthorizerPolicy>> {
        self.call(Request::new(Method::Get, "/v1/storage/policy/granted"))
    }
}
