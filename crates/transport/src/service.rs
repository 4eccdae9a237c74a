//! [`Service`]: what the transport needs to know about the API a client talks to. Each vendor
//! crate declares its own as a constant; the transport knows no vendor by name.

/// One API's description: its names, production URL and the headers the transport manages.
///
/// ```
/// use offerkit_transport::Service;
///
/// const WIDGETS: Service = Service::new("widgets", "Widget API", "https://api.widgets.example")
///     .request_id_headers(&["x-request-id"])
///     .idempotency_key_header("Idempotency-Key");
/// assert_eq!(WIDGETS.name(), "Widget API");
/// assert_eq!(WIDGETS.idempotency_key_header_name(), Some("Idempotency-Key"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    id: &'static str,
    name: &'static str,
    default_base_url: &'static str,
    request_id_headers: &'static [&'static str],
    idempotency_key_header: Option<&'static str>,
    correlation_header: Option<&'static str>,
}

impl Service {
    /// A service with a stable lowercase `id` (tracing field), a human-readable `name` (error
    /// messages) and its production base URL.
    pub const fn new(id: &'static str, name: &'static str, default_base_url: &'static str) -> Self {
        Self {
            id,
            name,
            default_base_url,
            request_id_headers: &[],
            idempotency_key_header: None,
            correlation_header: None,
        }
    }

    /// Response headers that carry the vendor's request id, in order of preference (lowercase).
    pub const fn request_id_headers(mut self, headers: &'static [&'static str]) -> Self {
        self.request_id_headers = headers;
        self
    }

    /// The header carrying a per-logical-call idempotency key, reused on every retry of a
    /// [`crate::Idempotency::Keyed`] call (Partner Center: `MS-RequestId`).
    pub const fn idempotency_key_header(mut self, header: &'static str) -> Self {
        self.idempotency_key_header = Some(header);
        self
    }

    /// The header carrying a correlation id, fresh for every logical call
    /// (Partner Center: `MS-CorrelationId`).
    pub const fn correlation_header(mut self, header: &'static str) -> Self {
        self.correlation_header = Some(header);
        self
    }

    /// The stable lowercase id (`appcharge`, `partner-center-orders`, ...).
    pub const fn id(&self) -> &'static str {
        self.id
    }

    /// The human-readable name used in error messages.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The production base URL.
    pub const fn default_base_url(&self) -> &'static str {
        self.default_base_url
    }

    /// The response headers read for the vendor's request id.
    pub const fn request_id_header_names(&self) -> &'static [&'static str] {
        self.request_id_headers
    }

    /// The idempotency-key header, if the service has one.
    pub const fn idempotency_key_header_name(&self) -> Option<&'static str> {
        self.idempotency_key_header
    }

    /// The correlation header, if the service has one.
    pub const fn correlation_header_name(&self) -> Option<&'static str> {
        self.correlation_header
    }
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}
