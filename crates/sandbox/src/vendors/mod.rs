//! One module per API family, each holding its routes, handlers, store, seeding, error dialect and
//! credential check. Adding a vendor is one new module here and one entry in the list below.

use serde_json::{Map, Value};

use crate::routing::Api;
use crate::store::{ApiStore, SeedMode};
use crate::util::clock::Clock;
use crate::util::ids::Ids;

/// Declares the slices: their modules, the [`Stores`] with one field per slice, and [`apis`].
macro_rules! slices {
    ($($slice:ident),+ $(,)?) => {
        $(pub(crate) mod $slice;)+

        /// Every slice's store.
        #[derive(Debug, Default)]
        pub(crate) struct Stores {
            $(pub(crate) $slice: $slice::Store,)+
        }

        /// Every API a slice serves, in the order a path is offered to them.
        pub(crate) fn apis() -> impl Iterator<Item = &'static Api> {
            [$($slice::APIS),+].into_iter().flatten().copied()
        }

        impl Stores {
            /// The top-level keys of a seed document.
            fn seed_keys() -> Vec<&'static str> {
                vec![$(<$slice::Store as ApiStore>::SEED_KEY),+]
            }

            /// The whole state in seed format.
            pub(crate) fn snapshot(&self) -> Value {
                let mut out = Map::new();
                $(out.insert(
                    <$slice::Store as ApiStore>::SEED_KEY.to_owned(),
                    self.$slice.snapshot(),
                );)+
                Value::Object(out)
            }

            /// Empties every store.
            pub(crate) fn clear(&self) {
                $(self.$slice.clear();)+
            }

            /// Checks a seed document fully, then applies it: nothing changes when it is invalid.
            /// Returns how many resources of each kind it loaded.
            pub(crate) fn apply_seed(
                &self,
                seed: &Value,
                mode: SeedMode,
                ids: &Ids,
                clock: &Clock,
            ) -> Result<Map<String, Value>, String> {
                let obj = seed.as_object().ok_or("a seed must be a JSON object")?;
                let keys = Self::seed_keys();
                if let Some(key) = obj
                    .keys()
                    .find(|k| *k != "$comment" && !keys.contains(&k.as_str()))
                {
                    return Err(format!(
                        "unknown top-level seed key {key:?}; expected {}",
                        keys.join(", ")
                    ));
                }
                $(let $slice = <$slice::Store as ApiStore>::parse_seed(
                    obj.get(<$slice::Store as ApiStore>::SEED_KEY),
                    ids,
                    clock,
                )?;)+
                if mode == SeedMode::Replace {
                    self.clear();
                }
                let mut loaded = Map::new();
                $(for (name, n) in self.$slice.apply_seed($slice) {
                    loaded.insert(name.to_owned(), Value::from(n));
                })+
                Ok(loaded)
            }
        }
    };
}

slices!(ingestion, orders, subscriptions, adobe, appcharge, identity);
