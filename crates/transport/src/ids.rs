//! Random request ids.

/// A random UUID v4 in its canonical text form (used for `MS-RequestId` / `MS-CorrelationId`).
pub(crate) fn new_uuid() -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&fastrand::u64(..).to_be_bytes());
    bytes[8..].copy_from_slice(&fastrand::u64(..).to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuid_shape() {
        let a = super::new_uuid();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(a, super::new_uuid());
    }
}
