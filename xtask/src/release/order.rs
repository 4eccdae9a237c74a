//! The publish order: a topological sort of the publishable workspace crates.
//!
//! Normal and build dependencies constrain the order (a crate is published after what it needs to build);
//! dev-dependencies do not, and must not carry a version (see the tidy tests). Ties are broken by the layer
//! of the crate (models, transport, vendors, facade, sandbox, cli), then by name, so the order is stable.

use std::collections::{BTreeMap, BTreeSet};

use crate::metadata::{DepKind, Metadata};

/// A crate to publish and the workspace crates it needs published first.
#[derive(Debug, Clone)]
pub struct Node {
    /// Package name.
    pub name: String,
    /// Publishable workspace crates this one depends on (normal or build dependencies).
    pub deps: BTreeSet<String>,
}

/// Builds the dependency graph of the publishable workspace crates.
///
/// Fails when a publishable crate needs (normal or build dependency) a workspace crate that is not publishable.
pub fn graph(metadata: &Metadata) -> Result<Vec<Node>, String> {
    let publishable: BTreeSet<&str> = metadata
        .publishable()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let members: BTreeSet<&str> = metadata.packages.iter().map(|p| p.name.as_str()).collect();
    let mut nodes = Vec::new();
    for package in metadata.publishable() {
        let mut deps = BTreeSet::new();
        for dep in &package.dependencies {
            if dep.dep_kind() == DepKind::Dev || !members.contains(dep.name.as_str()) {
                continue;
            }
            if !publishable.contains(dep.name.as_str()) {
                return Err(format!(
                    "{} depends on {}, which is `publish = false`",
                    package.name, dep.name
                ));
            }
            deps.insert(dep.name.clone());
        }
        nodes.push(Node {
            name: package.name.clone(),
            deps,
        });
    }
    Ok(nodes)
}

/// Where a crate sits in the architecture; lower layers are published first when the graph leaves a choice.
pub fn layer(name: &str) -> u8 {
    match name {
        "offerkit-models" => 0,
        "offerkit-transport" => 1,
        "offerkit" => 3,
        "offerkit-sandbox" => 4,
        "offerkit-cli" => 5,
        // The vendor crates, and anything new, sit between the transport and the facade.
        _ => 2,
    }
}

/// Sorts `nodes` so every crate comes after all of its dependencies (Kahn's algorithm; among the crates ready to
/// go, the lowest [`layer`] then the smallest name goes first). Fails naming the crates on a cycle.
pub fn publish_order(nodes: &[Node]) -> Result<Vec<String>, String> {
    let mut waiting: BTreeMap<&str, BTreeSet<&str>> = nodes
        .iter()
        .map(|n| (n.name.as_str(), n.deps.iter().map(String::as_str).collect()))
        .collect();
    for (name, deps) in &waiting {
        if let Some(missing) = deps.iter().find(|d| !waiting.contains_key(*d)) {
            return Err(format!(
                "{name} depends on {missing}, which is not among the crates to publish"
            ));
        }
    }
    let mut order = Vec::with_capacity(nodes.len());
    while !waiting.is_empty() {
        let next = waiting
            .iter()
            .filter(|(_, deps)| deps.is_empty())
            .map(|(name, _)| *name)
            .min_by_key(|name| (layer(name), *name));
        let Some(next) = next else {
            let stuck: Vec<&str> = waiting.keys().copied().collect();
            return Err(format!("dependency cycle among: {}", stuck.join(", ")));
        };
        waiting.remove(next);
        for deps in waiting.values_mut() {
            deps.remove(next);
        }
        order.push(next.to_owned());
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, deps: &[&str]) -> Node {
        Node {
            name: name.to_owned(),
            deps: deps.iter().map(|d| (*d).to_owned()).collect(),
        }
    }

    fn assert_deps_first(nodes: &[Node], order: &[String]) {
        let position = |name: &str| order.iter().position(|n| n == name).unwrap();
        for n in nodes {
            for d in &n.deps {
                assert!(
                    position(d) < position(&n.name),
                    "{} must come after {d}: {order:?}",
                    n.name
                );
            }
        }
    }

    /// The graph DESIGN.md describes.
    fn designed_graph() -> Vec<Node> {
        let vendors = [
            "offerkit-adobe-offers",
            "offerkit-appcharge",
            "offerkit-partner-center-ingestion",
            "offerkit-partner-center-orders",
        ];
        let mut facade_deps = vec!["offerkit-models", "offerkit-transport"];
        facade_deps.extend(vendors);
        let mut nodes = vec![
            node(
                "offerkit-cli",
                &["offerkit", "offerkit-sandbox", "offerkit-models"],
            ),
            node("offerkit", &facade_deps),
            node("offerkit-sandbox", &["offerkit-models"]),
            node("offerkit-transport", &["offerkit-models"]),
            node("offerkit-models", &[]),
        ];
        nodes.extend(
            vendors
                .iter()
                .map(|v| node(v, &["offerkit-models", "offerkit-transport"])),
        );
        nodes
    }

    #[test]
    fn orders_the_designed_graph_by_layer() {
        let nodes = designed_graph();
        let order = publish_order(&nodes).unwrap();
        assert_deps_first(&nodes, &order);
        assert_eq!(
            order,
            [
                "offerkit-models",
                "offerkit-transport",
                "offerkit-adobe-offers",
                "offerkit-appcharge",
                "offerkit-partner-center-ingestion",
                "offerkit-partner-center-orders",
                "offerkit",
                "offerkit-sandbox",
                "offerkit-cli",
            ]
        );
    }

    #[test]
    fn dependencies_beat_layers() {
        // A sandbox that (against the design) needed the cli would still go after it.
        let nodes = [
            node("offerkit-sandbox", &["offerkit-cli"]),
            node("offerkit-cli", &[]),
        ];
        assert_eq!(
            publish_order(&nodes).unwrap(),
            ["offerkit-cli", "offerkit-sandbox"]
        );
    }

    #[test]
    fn reports_cycles_and_unknown_dependencies() {
        let cycle = [node("a", &["b"]), node("b", &["a"]), node("c", &[])];
        let err = publish_order(&cycle).unwrap_err();
        assert_eq!(err, "dependency cycle among: a, b");
        let err = publish_order(&[node("a", &["zzz"])]).unwrap_err();
        assert!(err.contains("zzz"), "{err}");
    }

    /// The order computed from the real workspace puts every crate after its workspace dependencies.
    #[test]
    fn real_workspace_order_respects_dependencies() {
        let metadata = Metadata::load(&crate::metadata::workspace_root()).unwrap();
        let nodes = graph(&metadata).unwrap();
        let order = publish_order(&nodes).unwrap();
        assert_deps_first(&nodes, &order);
        assert_eq!(order.len(), metadata.publishable().len());
        assert_eq!(order.first().map(String::as_str), Some("offerkit-models"));
        assert_eq!(order.last().map(String::as_str), Some("offerkit-cli"));
    }
}
