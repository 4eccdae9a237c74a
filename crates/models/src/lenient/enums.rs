//! Lenient enums: case-insensitive parsing, unknown values kept, canonical casing written back.

/// Compares two enum texts ignoring ASCII case and the separators `_`, `-` and space, so `one_time`,
/// `OneTime` and `ONE-TIME` are the same value.
///
/// ```
/// use offerkit_models::lenient::enum_text_eq;
/// assert!(enum_text_eq("multiPartyPromotionChannelPartner", "multipartyPromotionChannelPartner"));
/// assert!(enum_text_eq("one_time", "OneTime"));
/// assert!(!enum_text_eq("live", "draft"));
/// ```
pub fn enum_text_eq(a: &str, b: &str) -> bool {
    fn significant(s: &str) -> impl Iterator<Item = char> + '_ {
        s.trim()
            .chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .map(|c| c.to_ascii_lowercase())
    }
    significant(a).eq(significant(b))
}

/// Declares a lenient string enum: every listed variant maps to its canonical wire text, parsing compares
/// with [`enum_text_eq`], and any other text is kept in the extra `Other(String)` variant.
///
/// The generated models use this macro for every `enum` in the specs; it is exported so the vendor crates
/// can declare their own open enums the same way.
///
/// ```
/// offerkit_models::lenient_enum! {
///     /// Colours.
///     pub enum Colour {
///         /// Red.
///         Red => "red",
///         /// Dark blue.
///         DarkBlue => "darkBlue",
///     }
/// }
/// let c: Colour = serde_json::from_str("\"DARK_BLUE\"").unwrap();
/// assert_eq!(c, Colour::DarkBlue);
/// assert_eq!(serde_json::to_string(&c).unwrap(), "\"darkBlue\"");
/// let other: Colour = serde_json::from_str("\"green\"").unwrap();
/// assert_eq!(other, Colour::Other("green".into()));
/// assert_eq!(other.as_str(), "green");
/// ```
#[macro_export]
macro_rules! lenient_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this SDK does not know, kept verbatim (written back unchanged).
            Other(::std::string::String),
        }

        impl $name {
            /// The canonical wire text of every known variant.
            pub const KNOWN: &'static [&'static str] = &[$($wire),*];

            /// Parses `text` case-insensitively; unknown text becomes `Other`.
            pub fn parse(text: &str) -> Self {
                $( if $crate::lenient::enum_text_eq(text, $wire) { return Self::$variant; } )*
                Self::Other(text.to_owned())
            }

            /// The canonical wire text (or the kept text of `Other`).
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Other(text) => text,
                }
            }

            /// Whether this is one of the known variants.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::parse(text))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(text: &str) -> Self {
                Self::parse(text)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let text = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::parse(&text))
            }
        }
    };
}
