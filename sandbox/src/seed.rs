//! The seeded world: accounts chosen to exercise the studio's paths.
//!
//! - `alex` has a bit of everything: an admin workspace with a normal and an
//!   empty repository, a team workspace where some repositories are
//!   writable (one without a `main` branch) and some read-only, and a lab
//!   workspace with 30 repositories of mixed permissions and default branches.
//! - `sam` can read but not write the team repositories.
//! - `nora` has nothing writable at all (the "no repositories" screens).
//! - `lee` writes only repositories whose branches are `master`/`trunk`, never
//!   `main` (the "create a main branch" path).
//! - `bigco` has 20 workspaces × 500 writable repositories, to show that lists
//!   stay fast and paginated; `smallco` (20 × 5) and `midco` (20 × 50) are the
//!   same shape at 100 and 1,000 repositories, so the benchmark can compare
//!   the picker at three sizes.
//!
//! Everything is derived from labels (see [`crate::ids`]), so ids are the same
//! on every start.

use std::collections::BTreeMap;
use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use crate::directory::{
    Account, Commit, Directory, Permission, Project, Repositories, Repository, Tree, Workspace,
};
use crate::ids::{stable_hash, stable_uuid};

const EPOCH: OffsetDateTime = time::macros::datetime!(2023-01-09 09:00 UTC);

pub(crate) const BIGCO_WORKSPACES: usize = 20;
pub(crate) const BIGCO_REPOSITORIES_PER_WORKSPACE: usize = 500;

/// The accounts of generated workspaces: nickname, display name, repositories per
/// workspace. Each has [`BIGCO_WORKSPACES`] workspaces `{nickname}-01` … `{nickname}-20`.
const SCALE_ACCOUNTS: [(&str, &str, usize); 3] = [
    ("smallco", "Small Co Engineer", 5),
    ("midco", "Mid Co Engineer", 50),
    ("bigco", "Big Co Engineer", BIGCO_REPOSITORIES_PER_WORKSPACE),
];

pub(crate) fn directory() -> Directory {
    let mut dir = Directory::default();
    for (i, (nickname, display_name)) in [
        ("alex", "Alex Rivera"),
        ("sam", "Sam Chen"),
        ("nora", "Nora Quinn"),
        ("bigco", "Big Co Engineer"),
        ("lee", "Lee Park"),
        ("smallco", "Small Co Engineer"),
        ("midco", "Mid Co Engineer"),
    ]
    .into_iter()
    .enumerate()
    {
        dir.accounts.insert(
            nickname.to_owned(),
            Account {
                nickname: nickname.to_owned(),
                display_name: display_name.to_owned(),
                account_id: format!("557058:{}", stable_uuid(&format!("account-id:{nickname}"))),
                uuid: stable_uuid(&format!("account:{nickname}")),
                created_on: EPOCH + Duration::days(i as i64 * 3),
            },
        );
    }

    // alex-rivera (personal, admin)
    let mut ws = workspace("alex-rivera", "Alex Rivera", Some("alex"));
    ws.members.insert("alex".into(), true);
    add_project(&mut ws, "PIPE", "Pipelines");
    insert(
        &mut ws,
        RepoSpec {
            slug: "sandbox-pipelines",
            description: "Experiments with the pipeline studio.",
            language: "python",
            project: "PIPE",
            day: 2,
            author: "alex",
            branches: &[("main", 3), ("develop", 2)],
            perms: &[],
            files: &[
                ("hello.orch.yaml", ORCHESTRATION),
                ("transform/demo.tran.yaml", TRANSFORMATION),
            ],
        },
    );
    insert(
        &mut ws,
        RepoSpec {
            slug: "empty-repo",
            description: "",
            language: "",
            project: "PIPE",
            day: 40,
            author: "alex",
            branches: &[],
            perms: &[],
            files: &[],
        },
    );
    dir.workspaces.insert(ws.slug.clone(), ws);

    // acme-data (team; alex writes some, reads others; sam reads all)
    let mut ws = workspace("acme-data", "Acme Data", None);
    ws.members.insert("alex".into(), false);
    ws.members.insert("sam".into(), false);
    add_project(&mut ws, "DATA", "Data Platform");
    add_project(&mut ws, "FIN", "Finance");
    add_project(&mut ws, "LEG", "Legacy");
    use Permission::{Read, Write};
    for spec in [
        RepoSpec {
            slug: "warehouse-pipelines",
            description: "Nightly loads into the warehouse.",
            language: "python",
            project: "DATA",
            day: 5,
            author: "alex",
            branches: &[("main", 4), ("develop", 1)],
            perms: &[("alex", Write), ("sam", Read)],
            files: &[
                ("pipelines/nightly-load.orch.yaml", ORCHESTRATION),
                ("pipelines/orders-clean.tran.yaml", TRANSFORMATION),
            ],
        },
        RepoSpec {
            slug: "marketing-etl",
            description: "Campaign data extracts.",
            language: "sql",
            project: "DATA",
            day: 9,
            author: "alex",
            branches: &[("master", 2)],
            perms: &[("alex", Write), ("sam", Read)],
            files: &[],
        },
        RepoSpec {
            slug: "finance-reports",
            description: "Month-end reports.",
            language: "sql",
            project: "FIN",
            day: 12,
            author: "sam",
            branches: &[("main", 2)],
            perms: &[("alex", Read), ("sam", Read)],
            files: &[],
        },
        RepoSpec {
            slug: "legacy-scripts",
            description: "Cron scripts from before the studio.",
            language: "shell",
            project: "LEG",
            day: 15,
            author: "sam",
            branches: &[("main", 1)],
            perms: &[("alex", Read), ("sam", Read)],
            files: &[],
        },
    ] {
        insert(&mut ws, spec);
    }
    dir.workspaces.insert(ws.slug.clone(), ws);

    // sam-chen (personal, admin)
    let mut ws = workspace("sam-chen", "Sam Chen", Some("sam"));
    ws.members.insert("sam".into(), true);
    add_project(&mut ws, "SAM", "Sam's projects");
    insert(
        &mut ws,
        RepoSpec {
            slug: "sam-sandbox",
            description: "Scratch space.",
            language: "python",
            project: "SAM",
            day: 20,
            author: "sam",
            branches: &[("main", 2)],
            perms: &[],
            files: &[],
        },
    );
    dir.workspaces.insert(ws.slug.clone(), ws);

    // nora-quinn (personal, no repositories)
    let mut ws = workspace("nora-quinn", "Nora Quinn", Some("nora"));
    ws.members.insert("nora".into(), true);
    dir.workspaces.insert(ws.slug.clone(), ws);

    // alex-lab (team; alex is a member with read, write or admin per repository)
    let mut ws = workspace("alex-lab", "Alex's Lab", None);
    ws.members.insert("alex".into(), false);
    add_project(&mut ws, "LAB", "Lab");
    for (i, slug) in LAB_REPOSITORIES.iter().enumerate() {
        const LANGUAGES: [&str; 4] = ["python", "sql", "shell", "scala"];
        const PERMS: [Permission; 3] = [Permission::Write, Permission::Read, Permission::Admin];
        const MAIN: &[(&str, usize)] = &[("main", 2)];
        const MASTER: &[(&str, usize)] = &[("master", 1)];
        const MAIN_AND_DEV: &[(&str, usize)] = &[("main", 1), ("develop", 1)];
        let perms: &'static [(&'static str, Permission)] = match PERMS[i % 3] {
            Permission::Write => &[("alex", Permission::Write)],
            Permission::Read => &[("alex", Permission::Read)],
            Permission::Admin => &[("alex", Permission::Admin)],
        };
        insert(
            &mut ws,
            RepoSpec {
                slug,
                description: "A lab experiment.",
                language: LANGUAGES[i % LANGUAGES.len()],
                project: "LAB",
                day: 50 + i as i64,
                author: "alex",
                branches: match i % 5 {
                    4 => MASTER,
                    2 => MAIN_AND_DEV,
                    _ => MAIN,
                },
                perms,
                files: &[],
            },
        );
    }
    dir.workspaces.insert(ws.slug.clone(), ws);

    // lee-park (personal, admin): writable, but no repository has `main`
    let mut ws = workspace("lee-park", "Lee Park", Some("lee"));
    ws.members.insert("lee".into(), true);
    add_project(&mut ws, "OPS", "Operations");
    for spec in [
        RepoSpec {
            slug: "etl-jobs",
            description: "Jobs from the old scheduler.",
            language: "python",
            project: "OPS",
            day: 25,
            author: "lee",
            branches: &[("master", 3), ("feature/retry", 1)],
            perms: &[],
            files: &[("jobs/daily.orch.yaml", ORCHESTRATION)],
        },
        RepoSpec {
            slug: "dbt-models",
            description: "Models, trunk-based.",
            language: "sql",
            project: "OPS",
            day: 27,
            author: "lee",
            branches: &[("trunk", 2)],
            perms: &[],
            files: &[],
        },
    ] {
        insert(&mut ws, spec);
    }
    dir.workspaces.insert(ws.slug.clone(), ws);

    // bigco-01 … bigco-20 (and the same for each scale account), generated on first use
    for (nickname, display_name, per_workspace) in SCALE_ACCOUNTS {
        let company = display_name.trim_end_matches(" Engineer");
        for n in 1..=BIGCO_WORKSPACES {
            let slug = format!("{nickname}-{n:02}");
            let mut ws = workspace(&slug, &format!("{company} {n:02}"), None);
            ws.members.insert(nickname.into(), false);
            add_project(&mut ws, "ENG", "Engineering");
            ws.repositories = Repositories::Generated {
                count: per_workspace,
                writers: vec![nickname.into()],
                generate: generate_repositories,
            };
            dir.workspaces.insert(slug, ws);
        }
    }
    dir
}

fn workspace(slug: &str, name: &str, personal_of: Option<&str>) -> Workspace {
    Workspace {
        slug: slug.to_owned(),
        name: name.to_owned(),
        uuid: stable_uuid(&format!("workspace:{slug}")),
        personal_of: personal_of.map(str::to_owned),
        members: BTreeMap::new(),
        projects: BTreeMap::new(),
        repositories: Repositories::Materialized(BTreeMap::new()),
    }
}

fn add_project(ws: &mut Workspace, key: &str, name: &str) {
    let project = Project {
        key: key.to_owned(),
        name: name.to_owned(),
        uuid: stable_uuid(&format!("project:{}/{key}", ws.slug)),
    };
    ws.projects.insert(key.to_owned(), project);
}

/// `alex-lab`'s repositories; permission cycles write, read, admin.
const LAB_REPOSITORIES: [&str; 30] = [
    "airflow-dags",
    "analytics-sandbox",
    "api-ingest",
    "batch-exports",
    "cdc-streams",
    "churn-model",
    "cost-dashboards",
    "customer-360",
    "data-contracts",
    "data-quality-checks",
    "dbt-core-models",
    "dim-modeling",
    "event-tracking",
    "feature-store",
    "forecasting",
    "geo-enrichment",
    "inventory-sync",
    "kafka-connectors",
    "lakehouse-poc",
    "ml-training",
    "orders-pipeline",
    "partner-feeds",
    "pricing-engine",
    "reverse-etl",
    "s3-landing",
    "schema-registry",
    "snowflake-admin",
    "spark-jobs",
    "tagging-service",
    "web-scraper",
];

/// A small orchestration pipeline (valid YAML) for the pipeline repositories.
const ORCHESTRATION: &str = r#"type: "orchestration"
version: "1.0"
pipeline:
  components:
    Start:
      type: "start"
      transitions:
        unconditional:
        - "Run orders-clean"
      parameters:
        componentName: "Start"
    Run orders-clean:
      type: "run-transformation"
      parameters:
        componentName: "Run orders-clean"
        transformationJob: "orders-clean.tran.yaml"
"#;

/// A small transformation pipeline (valid YAML).
const TRANSFORMATION: &str = r#"type: "transformation"
version: "1.0"
pipeline:
  components:
    Orders:
      type: "table-input"
      parameters:
        componentName: "Orders"
        tableName: "RAW_ORDERS"
        columnNames:
        - "ID"
        - "AMOUNT"
    Clean orders:
      type: "filter"
      sources:
      - "Orders"
      parameters:
        componentName: "Clean orders"
        filterConditions:
        - - "AMOUNT"
          - "Is"
          - "Greater than"
          - "0"
"#;

struct RepoSpec {
    slug: &'static str,
    description: &'static str,
    language: &'static str,
    project: &'static str,
    day: i64,
    author: &'static str,
    /// The first entry is the default branch and holds the base history; the
    /// others fork from its tip with their own commits.
    branches: &'static [(&'static str, usize)],
    perms: &'static [(&'static str, Permission)],
    /// Extra files present from the first commit on (every repository with
    /// commits also has a `README.md`).
    files: &'static [(&'static str, &'static str)],
}

fn insert(ws: &mut Workspace, spec: RepoSpec) {
    let full_name = format!("{}/{}", ws.slug, spec.slug);
    let created_on = EPOCH + Duration::days(spec.day);
    let author_display = match spec.author {
        "alex" => "Alex Rivera",
        "sam" => "Sam Chen",
        "lee" => "Lee Park",
        _ => spec.author,
    };
    let author_raw = format!("{author_display} <{}@example.com>", spec.author);
    let mut commits = BTreeMap::new();
    let mut branches = BTreeMap::new();
    let mut when = created_on;
    let readme: Arc<[u8]> =
        Arc::from(format!("# {}\n\n{}\n", spec.slug, spec.description).into_bytes());
    let mut base_tip: Option<String> = None;
    for (b, (branch, count)) in spec.branches.iter().enumerate() {
        let mut parent = if b == 0 { None } else { base_tip.clone() };
        for n in 1..=*count {
            when += Duration::hours(5);
            let hash = stable_hash(&format!("commit:{full_name}:{branch}:{n}"));
            let mut files = BTreeMap::new();
            files.insert("README.md".to_owned(), readme.clone());
            for (path, content) in spec.files {
                files.insert((*path).to_owned(), Arc::from(content.as_bytes()));
            }
            if spec.language == "python" && n > 1 {
                files.insert(
                    format!("pipelines/{branch}_{n}.py"),
                    Arc::from(format!("# step {n} on {branch}\n").into_bytes()),
                );
            }
            let message = if b == 0 && n == 1 {
                "Initial commit\n".to_owned()
            } else {
                format!("Update {branch} ({n})\n")
            };
            commits.insert(
                hash.clone(),
                Arc::new(Commit {
                    hash: hash.clone(),
                    parents: parent.iter().cloned().collect(),
                    date: when,
                    message,
                    author: Some(spec.author.to_owned()),
                    author_raw: author_raw.clone(),
                    tree: Arc::new(files),
                }),
            );
            parent = Some(hash);
        }
        if let Some(tip) = parent {
            if b == 0 {
                base_tip = Some(tip.clone());
            }
            branches.insert((*branch).to_owned(), tip);
        }
    }
    let repo = Repository {
        slug: spec.slug.to_owned(),
        name: spec.slug.to_owned(),
        uuid: stable_uuid(&format!("repository:{full_name}")),
        description: spec.description.to_owned(),
        is_private: true,
        language: spec.language.to_owned(),
        size: if commits.is_empty() {
            0
        } else {
            40_960 + 4_096 * commits.len() as u64
        },
        created_on,
        updated_on: when,
        project_key: spec.project.to_owned(),
        mainbranch: spec.branches.first().map(|(name, _)| (*name).to_owned()),
        branches,
        commits,
        permissions: spec
            .perms
            .iter()
            .map(|(nick, p)| ((*nick).to_owned(), *p))
            .collect(),
    };
    if let Repositories::Materialized(map) = &mut ws.repositories {
        map.insert(repo.slug.clone(), repo);
    }
}

/// Builds a generated workspace's repositories: one commit on `main` each,
/// all sharing a single file tree so 500 of them cost little memory.
fn generate_repositories(
    ws_slug: &str,
    count: usize,
    writers: &[String],
) -> BTreeMap<String, Repository> {
    const LANGUAGES: [&str; 3] = ["python", "sql", "shell"];
    let tree: Tree = Arc::new(BTreeMap::from([(
        "README.md".to_owned(),
        Arc::from(&b"# Generated repository\n"[..]),
    )]));
    let permissions: BTreeMap<String, Permission> = writers
        .iter()
        .map(|w| (w.clone(), Permission::Write))
        .collect();
    let writer = writers.first().map(String::as_str).unwrap_or("bigco");
    let display_name = SCALE_ACCOUNTS
        .iter()
        .find(|(nickname, _, _)| *nickname == writer)
        .map_or("Big Co Engineer", |(_, name, _)| name);
    let author_raw = format!("{display_name} <{writer}@example.com>");
    let ws_day: i64 = ws_slug
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    (1..=count)
        .map(|i| {
            let slug = format!("repo-{i:04}");
            let full_name = format!("{ws_slug}/{slug}");
            let created_on = EPOCH + Duration::days(30 + ws_day) + Duration::minutes(i as i64);
            let updated_on = created_on + Duration::days(1) + Duration::minutes(i as i64 * 7);
            let hash = stable_hash(&format!("commit:{full_name}:main:1"));
            let commit = Commit {
                hash: hash.clone(),
                parents: Vec::new(),
                date: updated_on,
                message: "Initial commit\n".to_owned(),
                author: None,
                author_raw: author_raw.clone(),
                tree: tree.clone(),
            };
            let repo = Repository {
                slug: slug.clone(),
                name: slug.clone(),
                uuid: stable_uuid(&format!("repository:{full_name}")),
                description: String::new(),
                is_private: true,
                language: LANGUAGES[i % LANGUAGES.len()].to_owned(),
                size: 20_480,
                created_on,
                updated_on,
                project_key: "ENG".to_owned(),
                mainbranch: Some("main".to_owned()),
                branches: BTreeMap::from([("main".to_owned(), hash.clone())]),
                commits: BTreeMap::from([(hash, Arc::new(commit))]),
                permissions: permissions.clone(),
            };
            (slug, repo)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_is_deterministic() {
        let a = directory();
        let b = directory();
        let ra = &a.workspaces["acme-data"];
        let rb = &b.workspaces["acme-data"];
        assert_eq!(ra.uuid, rb.uuid);
        let (Repositories::Materialized(ma), Repositories::Materialized(mb)) =
            (&ra.repositories, &rb.repositories)
        else {
            panic!("team workspace is materialised")
        };
        assert_eq!(
            ma["warehouse-pipelines"].branches,
            mb["warehouse-pipelines"].branches
        );
    }

    #[test]
    fn seeded_shapes_match_the_brief() {
        let mut dir = directory();
        dir.prepare("bigco-07");
        let (_, repos) = dir.visible_repositories("acme-data", "alex").unwrap();
        let writable: Vec<_> = repos
            .iter()
            .filter(|(_, p)| *p >= Permission::Write)
            .map(|(r, _)| r.slug.as_str())
            .collect();
        assert_eq!(writable, ["marketing-etl", "warehouse-pipelines"]);
        let (_, empty, _) = dir
            .visible_repository("alex-rivera", "empty-repo", "alex")
            .unwrap();
        assert!(empty.mainbranch.is_none() && empty.branches.is_empty());
        let (_, mk, _) = dir
            .visible_repository("acme-data", "marketing-etl", "alex")
            .unwrap();
        assert_eq!(mk.mainbranch.as_deref(), Some("master"));
        assert!(!mk.branches.contains_key("main"));
        let (_, dev, _) = dir
            .visible_repository("acme-data", "warehouse-pipelines", "alex")
            .unwrap();
        let develop = &dev.commits[&dev.branches["develop"]];
        assert_eq!(develop.parents, [dev.branches["main"].clone()]);
        assert!(dir.workspaces_of("nora").iter().all(|(ws, _)| matches!(
            &ws.repositories,
            Repositories::Materialized(m) if m.is_empty()
        )));
        assert_eq!(dir.workspaces_of("bigco").len(), BIGCO_WORKSPACES);
        let (_, lab) = dir.visible_repositories("alex-lab", "alex").unwrap();
        assert_eq!(lab.len(), LAB_REPOSITORIES.len());
        for p in [Permission::Read, Permission::Write, Permission::Admin] {
            assert_eq!(lab.iter().filter(|(_, q)| *q == p).count(), 10);
        }
        let (_, lee) = dir.visible_repositories("lee-park", "lee").unwrap();
        assert!(!lee.is_empty());
        assert!(lee
            .iter()
            .all(|(r, p)| *p >= Permission::Write && !r.branches.contains_key("main")));
        let (_, wh, _) = dir
            .visible_repository("acme-data", "warehouse-pipelines", "alex")
            .unwrap();
        let tip = &wh.commits[&wh.branches["main"]];
        assert!(tip.tree.contains_key("README.md"));
        assert!(tip.tree.keys().any(|k| k.ends_with(".orch.yaml")));
        assert!(tip.tree.keys().any(|k| k.ends_with(".tran.yaml")));
        assert!(matches!(
            dir.workspaces["bigco-08"].repositories,
            Repositories::Generated { .. }
        ));
        let (_, big) = dir.visible_repositories("bigco-07", "bigco").unwrap();
        assert_eq!(big.len(), BIGCO_REPOSITORIES_PER_WORKSPACE);
        assert!(big.iter().all(|(_, p)| *p == Permission::Write));
    }

    #[test]
    fn scale_accounts_hold_100_1000_and_10000_writable_repositories() {
        let mut dir = directory();
        for (nickname, total) in [("smallco", 100), ("midco", 1_000), ("bigco", 10_000)] {
            let slugs: Vec<String> = dir
                .workspaces_of(nickname)
                .iter()
                .map(|(ws, _)| ws.slug.clone())
                .collect();
            assert_eq!(slugs.len(), BIGCO_WORKSPACES, "{nickname}");
            let mut writable = 0;
            for slug in &slugs {
                dir.prepare(slug);
                let (_, repos) = dir.visible_repositories(slug, nickname).unwrap();
                writable += repos
                    .iter()
                    .filter(|(_, p)| *p >= Permission::Write)
                    .count();
            }
            assert_eq!(writable, total, "{nickname}");
        }
    }
}
