//! The seeded Data Center instance. Every user's password is [`PASSWORD`].
//!
//! - `alex` (Alex Rivera): writes project `DATA` ("Data Platform": `pipelines` with `main`,
//!   a README and `pipelines/orders.orch.yaml`, plus a `feature/orders-v2` branch;
//!   `warehouse` whose only branch is `master`; `empty-repo` with no commit; and
//!   `legacy-etl`, archived, listed only with `archived=ARCHIVED|ALL`), administers
//!   `pipelines`, reads `OPS/runbooks` and `OPS/infra`, writes `OPS/ops-scripts`, and owns
//!   the personal project `~ALEX` with `notes`.
//! - `sam` (Sam Chen) reads `DATA` and writes nothing.
//! - `nora` (Nora Quinn) reads `OPS` and writes nothing.
//! - `bigdc` (Big DC Engineer) writes 10,000 repositories in 20 projects (`P01`…`P20`,
//!   `service-00001`…`service-10000`, 500 a project, each with `main` and a README) and reads
//!   `archive-01`…`archive-20` (one a project) and `DATA`.
//!
//! Ids are deterministic (a reset gives byte-identical answers). The generated repositories
//! share one tree and cheap derived ids, so seeding all of them stays well under 100 ms.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::model::{Commit, Permission, Project, Repository, Tree, User};
use super::world::{Access, World};
use crate::files::ORDERS_PIPELINE;
use crate::ids::{derived_id, stable_hash};

/// Every seeded user's password.
pub const PASSWORD: &str = "sandbox";
/// `bigdc`'s projects `P01`…`P20`.
pub const BIG_PROJECTS: usize = 20;
/// Writable repositories in each of `bigdc`'s projects.
pub const BIG_REPOSITORIES_PER_PROJECT: usize = 500;

/// 2026-01-05 09:00 UTC, in Unix milliseconds: when the seeded history starts.
const SEEDED_AT: i64 = 1_767_603_600_000;

fn readme(name: &str) -> Arc<[u8]> {
    Arc::from(format!("# {name}\n\nSeeded by the Bitbucket Data Center sandbox.\n").into_bytes())
}

fn tree(files: &[(&str, Arc<[u8]>)]) -> Tree {
    Arc::new(
        files
            .iter()
            .map(|(p, c)| ((*p).to_owned(), c.clone()))
            .collect(),
    )
}

struct Seeder<'a> {
    world: &'a mut World,
    next_repository_id: u32,
    next_project_id: u32,
}

/// One commit of a seeded history: message, author slug, files set.
struct Step<'a> {
    message: &'a str,
    files: &'a [(&'a str, Arc<[u8]>)],
}

impl Seeder<'_> {
    fn user(&mut self, id: u32, slug: &str, display_name: &str) {
        self.world.users.insert(
            slug.to_owned(),
            User {
                slug: slug.to_owned(),
                name: slug.to_owned(),
                display_name: display_name.to_owned(),
                email: format!("{slug}@example.com"),
                id,
            },
        );
    }

    fn project(&mut self, key: &str, name: &str, description: Option<&str>, owner: Option<&str>) {
        self.next_project_id += 1;
        self.world.projects.insert(
            key.to_owned(),
            Project {
                key: key.to_owned(),
                id: self.next_project_id,
                name: name.to_owned(),
                description: description.map(str::to_owned),
                personal_of: owner.map(str::to_owned),
                public: false,
            },
        );
    }

    fn grant_project(&mut self, user: &str, key: &str, p: Permission) {
        self.access(user).projects.insert(key.to_owned(), p);
    }

    fn grant_repository(&mut self, user: &str, key: &str, slug: &str, p: Permission) {
        let id = self
            .world
            .repository(key, slug)
            .map(|r| r.id)
            .expect("seeded repository");
        self.access(user).repositories.insert(id, p);
    }

    fn access(&mut self, user: &str) -> &mut Access {
        self.world.access.entry(user.to_owned()).or_default()
    }

    /// A repository whose `default_branch` carries `steps` as a linear history (no steps:
    /// an empty repository); `also` names further branches at the first commit.
    fn repository(
        &mut self,
        key: &str,
        slug: &str,
        name: &str,
        default_branch: &str,
        steps: &[Step<'_>],
        also: &[&str],
    ) -> &mut Repository {
        self.next_repository_id += 1;
        let label = format!("dc/{key}/{slug}");
        let mut commits = HashMap::new();
        let mut branches = BTreeMap::new();
        let mut files = BTreeMap::new();
        let mut parent: Option<String> = None;
        let mut first: Option<String> = None;
        for (i, step) in steps.iter().enumerate() {
            for (path, content) in step.files {
                files.insert((*path).to_owned(), content.clone());
            }
            let id = stable_hash(&format!("{label}/{i}"));
            commits.insert(
                id.clone(),
                Arc::new(Commit {
                    id: id.clone(),
                    parents: parent.iter().cloned().collect(),
                    author_name: "Alex Rivera".to_owned(),
                    author_email: "alex@example.com".to_owned(),
                    timestamp_ms: SEEDED_AT + i as i64 * 3_600_000,
                    message: step.message.to_owned(),
                    tree: Arc::new(files.clone()),
                    changed: step.files.iter().map(|(p, _)| (*p).to_owned()).collect(),
                }),
            );
            first.get_or_insert_with(|| id.clone());
            parent = Some(id);
        }
        if let Some(tip) = parent {
            branches.insert(default_branch.to_owned(), tip);
            for b in also {
                branches.insert((*b).to_owned(), first.clone().unwrap_or_default());
            }
        }
        let repository = Repository {
            id: self.next_repository_id,
            slug: slug.to_owned(),
            name: name.to_owned(),
            project_key: key.to_owned(),
            hierarchy_id: stable_hash(&label)[..20].to_owned(),
            description: None,
            archived: false,
            public: false,
            default_branch: default_branch.to_owned(),
            branches,
            commits,
        };
        let slot = self.world.repositories.entry(key.to_owned()).or_default();
        slot.insert(slug.to_owned(), repository);
        slot.get_mut(slug).expect("just inserted")
    }

    fn simple(&mut self, key: &str, slug: &str, branch: &str) {
        let files = [("README.md", readme(slug))];
        self.repository(
            key,
            slug,
            slug,
            branch,
            &[Step {
                message: "Initial commit",
                files: &files,
            }],
            &[],
        );
    }

    /// `bigdc`'s 20 projects: 500 writable repositories each, sharing one tree and one
    /// list of changed paths, plus one read-only `archive-NN`.
    fn big_projects(&mut self) {
        let shared = tree(&[("README.md", readme("service"))]);
        let changed: Arc<[String]> = vec!["README.md".to_owned()].into();
        for p in 1..=BIG_PROJECTS {
            let key = format!("P{p:02}");
            self.project(&key, &format!("Platform {p:02}"), None, None);
            let mut repos = BTreeMap::new();
            let mut grants = Vec::with_capacity(BIG_REPOSITORIES_PER_PROJECT + 1);
            for r in 0..=BIG_REPOSITORIES_PER_PROJECT {
                self.next_repository_id += 1;
                let id = self.next_repository_id;
                let n = (p - 1) * BIG_REPOSITORIES_PER_PROJECT + r;
                let (slug, permission) = if r == BIG_REPOSITORIES_PER_PROJECT {
                    (format!("archive-{p:02}"), Permission::Read)
                } else {
                    (format!("service-{:05}", n + 1), Permission::Write)
                };
                grants.push((id, permission));
                let commit = derived_id(u64::from(id), 0xC0FF_EE00);
                let mut commits = HashMap::with_capacity(1);
                commits.insert(
                    commit.clone(),
                    Arc::new(Commit {
                        id: commit.clone(),
                        parents: Vec::new(),
                        author_name: "Big DC Engineer".to_owned(),
                        author_email: "bigdc@example.com".to_owned(),
                        timestamp_ms: SEEDED_AT,
                        message: "Initial commit".to_owned(),
                        tree: shared.clone(),
                        changed: changed.clone(),
                    }),
                );
                let mut branches = BTreeMap::new();
                branches.insert("main".to_owned(), commit);
                repos.insert(
                    slug.clone(),
                    Repository {
                        id,
                        name: slug.clone(),
                        slug,
                        project_key: key.clone(),
                        hierarchy_id: derived_id(u64::from(id), 0x41E2)[..20].to_owned(),
                        description: None,
                        archived: false,
                        public: false,
                        default_branch: "main".to_owned(),
                        branches,
                        commits,
                    },
                );
            }
            self.world.repositories.insert(key, repos);
            // Per repository, not per project: DC permissions only add up, and a project
            // grant would make the archive writable too.
            self.access("bigdc").repositories.extend(grants);
        }
    }
}

impl World {
    /// The seeded world a sandbox starts (and resets) with.
    pub(crate) fn seed() -> World {
        let mut world = World::empty();
        populate(&mut world);
        world
    }
}

pub(crate) fn populate(world: &mut World) {
    use Permission::{Admin, Read, Write};
    let mut s = Seeder {
        world,
        next_repository_id: 0,
        next_project_id: 0,
    };
    s.user(101, "alex", "Alex Rivera");
    s.user(102, "sam", "Sam Chen");
    s.user(103, "nora", "Nora Quinn");
    s.user(104, "bigdc", "Big DC Engineer");

    s.project(
        "DATA",
        "Data Platform",
        Some("Pipelines and the warehouse."),
        None,
    );
    let first = [("README.md", readme("pipelines"))];
    let second = [(
        "pipelines/orders.orch.yaml",
        Arc::from(ORDERS_PIPELINE.as_bytes()),
    )];
    s.repository(
        "DATA",
        "pipelines",
        "pipelines",
        "main",
        &[
            Step {
                message: "Initial commit",
                files: &first,
            },
            Step {
                message: "Add the orders pipeline",
                files: &second,
            },
        ],
        &["feature/orders-v2"],
    );
    let warehouse = [
        ("README.md", readme("warehouse")),
        (
            "models/orders.sql",
            Arc::from(b"select * from raw.orders\n".as_slice()),
        ),
    ];
    s.repository(
        "DATA",
        "warehouse",
        "warehouse",
        "master",
        &[Step {
            message: "Initial commit",
            files: &warehouse,
        }],
        &[],
    );
    s.repository("DATA", "empty-repo", "empty-repo", "main", &[], &[]);
    s.simple("DATA", "legacy-etl", "main");
    if let Some(r) = s.world.repository_mut("DATA", "legacy-etl") {
        r.archived = true;
    }
    s.grant_project("alex", "DATA", Write);
    s.grant_repository("alex", "DATA", "pipelines", Admin);
    s.grant_project("sam", "DATA", Read);
    s.grant_project("bigdc", "DATA", Read);

    s.project("OPS", "Operations", None, None);
    for slug in ["runbooks", "infra", "ops-scripts"] {
        s.simple("OPS", slug, "main");
    }
    s.grant_repository("alex", "OPS", "runbooks", Read);
    s.grant_repository("alex", "OPS", "infra", Read);
    s.grant_repository("alex", "OPS", "ops-scripts", Write);
    s.grant_project("nora", "OPS", Read);

    s.project("~ALEX", "Alex Rivera", None, Some("alex"));
    s.simple("~ALEX", "notes", "main");

    s.big_projects();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_big_projects_hold_ten_thousand_repositories() {
        // How long seeding takes is not asserted here: a timing depends on the machine's
        // load, and performance figures live in the benchmarks (README, "Benchmarks").
        let world = World::seed();
        let big: usize = (1..=BIG_PROJECTS)
            .map(|p| world.repositories[&format!("P{p:02}")].len())
            .sum();
        assert_eq!(big, BIG_PROJECTS * (BIG_REPOSITORIES_PER_PROJECT + 1));
    }

    #[test]
    fn the_archive_is_read_only_for_bigdc() {
        let world = World::seed();
        let archive = world.repository("P01", "archive-01").unwrap();
        let service = world.repository("P01", "service-00001").unwrap();
        assert_eq!(
            world.permission(Some("bigdc"), archive),
            Some(Permission::Read)
        );
        assert_eq!(
            world.permission(Some("bigdc"), service),
            Some(Permission::Write)
        );
        assert_eq!(world.permission(Some("alex"), service), None);
    }
}
