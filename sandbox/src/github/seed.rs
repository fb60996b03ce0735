//! The seeded GitHub world. Every user's password is [`PASSWORD`].
//!
//! - `alex` (Alex Rivera): member of `acme-data` (base permission read; push on
//!   `warehouse` and `empty-repo`, admin on `pipelines`), whose repositories are `pipelines`
//!   (`main`: a README and `pipelines/orders.orch.yaml`; `feature/orders-v2`), `warehouse`
//!   (only `master`), `empty-repo` (no commit) and `runbooks` (read only for alex). Owns
//!   `notes` and `scratch`. Member of `globex` (`etl`, `reports`, push).
//! - `sam` (Sam Chen): member of `acme-data`, read only.
//! - `newbie` (Nia Newman): no organization; owns `hello`.
//! - `bigco` (Big Co Engineer): member of `bigco-01`…`bigco-20`, 500 writable repositories
//!   each (`service-00001`…`service-10000`, `main` with a README), sharing one tree.
//!
//! Every configured app is installed on `acme-data` (all repositories), on `alex` (selected:
//! `notes` only) and on each `bigco-NN` (all); not on `globex`, `sam` or `newbie`. Ids and
//! SHAs are deterministic, so a reset gives byte-identical answers.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::model::{
    blob_sha, Account, AccountKind, Commit, Installation, Permission, Repository, Selection,
    Signature, Tree, TreeObject,
};
use super::world::World;
use super::GitHubApp;
use crate::files::ORDERS_PIPELINE;
use crate::ids::derived_id;

/// Every seeded user's password.
pub const PASSWORD: &str = "sandbox";
/// `bigco`'s organizations `bigco-01`…`bigco-20`.
pub const BIG_ORGS: usize = 20;
/// Writable repositories in each of `bigco`'s organizations.
pub const BIG_REPOSITORIES_PER_ORG: usize = 500;

/// 2026-01-05 09:00 UTC, Unix seconds: when the seeded history starts.
const SEEDED_AT: i64 = 1_767_603_600;

fn readme(name: &str) -> Arc<[u8]> {
    Arc::from(format!("# {name}\n\nSeeded by the GitHub sandbox.\n").into_bytes())
}

fn account(world: &mut World, login: &str, id: u64, name: &str, kind: AccountKind) {
    let base_permission = (kind == AccountKind::Organization).then_some(Permission::Pull);
    world.accounts.insert(
        login.to_owned(),
        Account {
            login: login.to_owned(),
            id,
            name: name.to_owned(),
            kind,
            base_permission,
        },
    );
}

fn empty_repository(id: u64, owner: &str, name: &str, default_branch: &str) -> Repository {
    Repository {
        id,
        owner: owner.to_owned(),
        name: name.to_owned(),
        description: None,
        private: true,
        default_branch: default_branch.to_owned(),
        created_at: SEEDED_AT,
        pushed_at: SEEDED_AT,
        branches: BTreeMap::new(),
        commits: HashMap::new(),
        trees: HashMap::new(),
        blobs: HashMap::new(),
    }
}

/// One commit of a seeded history: its message and the files it sets.
type Step<'a> = (&'a str, Vec<(&'a str, Arc<[u8]>)>);

struct Seeder<'a> {
    world: &'a mut World,
    next_repository_id: u64,
}

impl Seeder<'_> {
    /// A repository whose default branch carries one commit a step (each step's files added
    /// to the last); `also` names further branches at the first commit.
    fn repository(
        &mut self,
        owner: &str,
        name: &str,
        default_branch: &str,
        steps: &[Step<'_>],
        also: &[&str],
    ) {
        self.next_repository_id += 1;
        let mut repo = empty_repository(self.next_repository_id, owner, name, default_branch);
        let (who, email) = match owner {
            "alex" | "acme-data" | "globex" => ("Alex Rivera", "alex@example.com"),
            _ => ("Nia Newman", "newbie@example.com"),
        };
        let mut files = BTreeMap::new();
        let mut parents = Vec::new();
        let mut first = None;
        for (i, (message, step)) in steps.iter().enumerate() {
            for (path, content) in step {
                files.insert((*path).to_owned(), content.clone());
            }
            let sig = Signature {
                name: who.to_owned(),
                email: email.to_owned(),
                date: SEEDED_AT + 3600 * i as i64,
            };
            let commit = World::write_commit(
                &mut repo,
                Arc::new(files.clone()),
                parents,
                sig.clone(),
                sig,
                message,
            );
            first.get_or_insert_with(|| commit.sha.clone());
            parents = vec![commit.sha.clone()];
            repo.pushed_at = commit.committer.date;
        }
        if let Some(tip) = parents.first() {
            repo.branches.insert(default_branch.to_owned(), tip.clone());
        }
        for branch in also {
            if let Some(first) = &first {
                repo.branches.insert((*branch).to_owned(), first.clone());
            }
        }
        self.world
            .repositories
            .entry(owner.to_owned())
            .or_default()
            .insert(name.to_owned(), repo);
    }

    fn simple(&mut self, owner: &str, name: &str) {
        self.repository(
            owner,
            name,
            "main",
            &[("Initial commit", vec![("README.md", readme(name))])],
            &[],
        );
    }

    fn grant(&mut self, user: &str, full_name: &str, p: Permission) {
        self.world
            .grants
            .insert((user.to_owned(), full_name.to_owned()), p);
    }

    fn member(&mut self, user: &str, org: &str) {
        self.world
            .memberships
            .entry(user.to_owned())
            .or_default()
            .push(org.to_owned());
    }

    /// `bigco`'s 10,000 repositories: one shared tree, cheap derived ids.
    fn big_orgs(&mut self) {
        let files: Tree = Arc::new(BTreeMap::from([(
            "README.md".to_owned(),
            readme("service"),
        )]));
        let readme_bytes = files["README.md"].clone();
        let readme_sha = blob_sha(&readme_bytes);
        let tree_sha = super::model::tree_sha(&files, "");
        let changed: Arc<[String]> = vec!["README.md".to_owned()].into();
        let sig = Signature {
            name: "Big Co Engineer".to_owned(),
            email: "bigco@example.com".to_owned(),
            date: SEEDED_AT,
        };
        for o in 1..=BIG_ORGS {
            let org = format!("bigco-{o:02}");
            account(
                self.world,
                &org,
                2100 + o as u64,
                &format!("Big Co {o:02}"),
                AccountKind::Organization,
            );
            if let Some(a) = self.world.accounts.get_mut(&org) {
                a.base_permission = Some(Permission::Push);
            }
            self.member("bigco", &org);
            let mut repos = BTreeMap::new();
            for r in 1..=BIG_REPOSITORIES_PER_ORG {
                let n = (o - 1) * BIG_REPOSITORIES_PER_ORG + r;
                let name = format!("service-{n:05}");
                let mut repo = empty_repository(100_000 + n as u64, &org, &name, "main");
                let sha = derived_id(n as u64, 0x6177_6875_6200);
                repo.commits.insert(
                    sha.clone(),
                    Arc::new(Commit {
                        sha: sha.clone(),
                        parents: Vec::new(),
                        tree_sha: tree_sha.clone(),
                        tree: files.clone(),
                        author: sig.clone(),
                        committer: sig.clone(),
                        message: "Initial commit".to_owned(),
                        changed: changed.clone(),
                    }),
                );
                repo.trees.insert(
                    tree_sha.clone(),
                    TreeObject {
                        files: files.clone(),
                        prefix: String::new(),
                    },
                );
                repo.blobs.insert(readme_sha.clone(), readme_bytes.clone());
                repo.branches.insert("main".to_owned(), sha);
                repos.insert(name, repo);
            }
            self.world.repositories.insert(org, repos);
        }
    }
}

impl World {
    /// The seeded world a sandbox starts (and resets) with, the apps installed as above.
    pub(crate) fn seed(apps: &[GitHubApp]) -> World {
        let mut world = World::empty();
        populate(&mut world);
        for app in apps {
            world.install_seeded(&app.slug);
        }
        world
    }

    fn install_seeded(&mut self, slug: &str) {
        let mut targets = vec![
            ("acme-data".to_owned(), Selection::All),
            (
                "alex".to_owned(),
                Selection::Selected(BTreeSet::from(["notes".to_owned()])),
            ),
        ];
        targets.extend((1..=BIG_ORGS).map(|o| (format!("bigco-{o:02}"), Selection::All)));
        for (account, selection) in targets {
            self.next_installation_id += 1;
            self.installations.push(Installation {
                id: 40_000 + self.next_installation_id,
                account,
                app_slug: slug.to_owned(),
                selection,
                created_at: SEEDED_AT,
            });
        }
    }
}

fn populate(world: &mut World) {
    use AccountKind::{Organization, User};
    account(world, "alex", 1001, "Alex Rivera", User);
    account(world, "sam", 1002, "Sam Chen", User);
    account(world, "newbie", 1003, "Nia Newman", User);
    account(world, "bigco", 1004, "Big Co Engineer", User);
    account(world, "acme-data", 2001, "Acme Data", Organization);
    account(world, "globex", 2002, "Globex", Organization);
    let mut s = Seeder {
        world,
        next_repository_id: 5000,
    };
    s.member("alex", "acme-data");
    s.member("alex", "globex");
    s.member("sam", "acme-data");
    s.repository(
        "acme-data",
        "pipelines",
        "main",
        &[
            ("Initial commit", vec![("README.md", readme("pipelines"))]),
            (
                "Add the orders pipeline",
                vec![(
                    "pipelines/orders.orch.yaml",
                    Arc::from(ORDERS_PIPELINE.as_bytes()),
                )],
            ),
        ],
        &["feature/orders-v2"],
    );
    s.repository(
        "acme-data",
        "warehouse",
        "master",
        &[(
            "Initial commit",
            vec![
                ("README.md", readme("warehouse")),
                (
                    "models/orders.sql",
                    Arc::from(b"select * from raw.orders\n".as_slice()),
                ),
            ],
        )],
        &[],
    );
    s.repository("acme-data", "empty-repo", "main", &[], &[]);
    s.simple("acme-data", "runbooks");
    s.grant("alex", "acme-data/pipelines", Permission::Admin);
    s.grant("alex", "acme-data/warehouse", Permission::Push);
    s.grant("alex", "acme-data/empty-repo", Permission::Push);
    s.simple("alex", "notes");
    s.simple("alex", "scratch");
    s.simple("globex", "etl");
    s.simple("globex", "reports");
    if let Some(g) = s.world.accounts.get_mut("globex") {
        g.base_permission = Some(Permission::Push);
    }
    s.simple("newbie", "hello");
    s.big_orgs();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigco_holds_ten_thousand_writable_repositories() {
        let world = World::seed(&[]);
        let n: usize = (1..=BIG_ORGS)
            .map(|o| world.repositories[&format!("bigco-{o:02}")].len())
            .sum();
        assert_eq!(n, BIG_ORGS * BIG_REPOSITORIES_PER_ORG);
        let r = world.repository("bigco-03", "service-01001").unwrap();
        assert_eq!(world.permission("bigco", r), Some(Permission::Push));
        assert_eq!(world.permission("alex", r), None);
    }

    #[test]
    fn alex_reads_runbooks_and_writes_warehouse() {
        let world = World::seed(&[]);
        let runbooks = world.repository("acme-data", "runbooks").unwrap();
        let warehouse = world.repository("acme-data", "warehouse").unwrap();
        assert_eq!(world.permission("alex", runbooks), Some(Permission::Pull));
        assert_eq!(world.permission("alex", warehouse), Some(Permission::Push));
        assert_eq!(world.permission("sam", warehouse), Some(Permission::Pull));
    }
}
