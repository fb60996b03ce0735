//! Where a soak user keeps its pipelines: Bitbucket Cloud, Bitbucket Data Center or GitHub
//! (users take turns), the sandbox account it connects as, the repository every user of that
//! provider shares, how a colleague commits there, and how the file is read at the end.

use api::GitProvider;
use serde_json::{json, Value};

use crate::cluster::Cluster;

#[derive(Clone, Copy, Debug)]
pub struct Place {
    pub provider: GitProvider,
    /// How the report names it.
    pub label: &'static str,
    /// The group (Cloud workspace, Data Center project) and the repository.
    pub group: &'static str,
    pub repository: &'static str,
}

pub const CLOUD: Place = Place {
    provider: GitProvider::BitbucketCloud,
    label: "Bitbucket Cloud",
    group: "acme-data",
    repository: "warehouse-pipelines",
};

pub const DATA_CENTER: Place = Place {
    provider: GitProvider::BitbucketDataCenter,
    label: "Bitbucket Data Center",
    group: "DATA",
    repository: "pipelines",
};

pub const GITHUB: Place = Place {
    provider: GitProvider::GitHub,
    label: "GitHub",
    group: "acme-data",
    repository: "pipelines",
};

/// The sandbox account every user connects as: Cloud's Alex Rivera, Data Center's and
/// GitHub's `alex`.
const ACCOUNT: &str = "alex";

impl Place {
    /// User `n`'s: Cloud, Data Center and GitHub in turn.
    pub fn of_user(n: usize) -> Place {
        [CLOUD, DATA_CENTER, GITHUB][n % 3]
    }

    pub fn label(&self) -> &'static str {
        self.label
    }

    /// Where the wizard asks to come back to after authorizing.
    pub fn repository_step(&self) -> String {
        api::wizard::path(
            api::ProjectConfiguration::Advanced,
            api::wizard::StepId::Repository,
            Some(self.provider),
        )
    }

    /// The buttons that move through the provider's sign-in and consent pages, in the
    /// order a person meets them.
    pub fn consent_buttons(&self) -> &'static [&'static str] {
        match self.provider {
            GitProvider::BitbucketCloud => &["Sign in as Alex Rivera", "Grant access"],
            GitProvider::BitbucketDataCenter => &["Log in", "Allow"],
            GitProvider::GitHub => &["Sign in", "Authorize Pipeline Studio (test)"],
        }
    }

    /// The name of the sign-in page's account box, when the provider's sandbox has one.
    pub fn account_field(&self) -> &'static str {
        match self.provider {
            GitProvider::GitHub => "login",
            _ => "username",
        }
    }

    /// The sign-in fields a page with an account box needs.
    pub fn sign_in_fields(&self) -> [(String, String); 2] {
        let password = match self.provider {
            GitProvider::GitHub => sandbox::github::PASSWORD,
            _ => sandbox::datacenter::PASSWORD,
        };
        [
            (self.account_field().into(), ACCOUNT.into()),
            ("password".into(), password.into()),
        ]
    }

    /// `{"provider", "group", "slug"}` of the project's repository.
    pub fn repository_ref(&self) -> Value {
        json!({"provider": self.provider, "group": self.group, "slug": self.repository})
    }

    /// The sandbox's control API URL for a colleague's commit, and its body.
    pub fn colleague_commit(
        &self,
        cluster: &Cluster,
        branch: &str,
        path: &str,
        content: &str,
    ) -> (String, Value) {
        match self.provider {
            GitProvider::BitbucketCloud => (
                format!("{}/_control/commit", cluster.app.sandbox.url),
                json!({"nickname": ACCOUNT, "workspace": self.group, "repository": self.repository,
                       "branch": branch, "message": "Pushed from a laptop", "files": {path: content}}),
            ),
            GitProvider::BitbucketDataCenter => (
                format!("{}/_control/commit", cluster.app.datacenter.url),
                json!({"project": self.group, "repository": self.repository, "branch": branch,
                       "path": path, "content": content}),
            ),
            GitProvider::GitHub => (
                format!("{}/_control/commit", cluster.app.github.url),
                json!({"owner": self.group, "repo": self.repository, "branch": branch,
                       "path": path, "content": content}),
            ),
        }
    }

    /// What the repository's `branch` holds at `path` now, read in the sandbox itself.
    pub fn file_now(&self, cluster: &Cluster, branch: &str, path: &str) -> Option<String> {
        match self.provider {
            GitProvider::BitbucketCloud => cluster.app.sandbox.sandbox.file_on_branch(
                ACCOUNT,
                self.group,
                self.repository,
                branch,
                path,
            ),
            GitProvider::BitbucketDataCenter => cluster.app.datacenter.sandbox.file_on_branch(
                self.group,
                self.repository,
                branch,
                path,
            ),
            GitProvider::GitHub => cluster
                .app
                .github
                .sandbox
                .file_on_branch(self.group, self.repository, branch, path)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        }
    }

    /// Whether the studio lets this provider's pipelines be deleted (Data Center's one-file
    /// commit API cannot delete: the studio refuses with a 409 and says to use Git).
    pub fn deletes(&self) -> bool {
        self.provider != GitProvider::BitbucketDataCenter
    }
}
