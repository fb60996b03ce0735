//! Pipelines as files on a project's branch at a Git provider, written once for every
//! provider over the few calls each one makes its own way ([`BranchFiles`]).
//!
//! Reads happen at the branch's head commit, which becomes the edit's revision. A save is a
//! commit made on a known commit (its parent): the edit's revision, or the head for a new
//! pipeline. The provider refuses a commit whose parent is out of date (409, as
//! [`ProviderError::Conflict`]); what "out of date" means is the provider's (Cloud: the
//! branch moved; Data Center: the file changed since the parent, or the content would not
//! change it). After a refusal the file is compared at the revision and at the new head:
//!
//! - the file is what the user saved, and either an earlier run of this same save already
//!   sent its commit (an answer lost, a refused token refreshed and the save run again) or
//!   the file is unchanged since the revision: the save has landed, nothing is committed again;
//! - the file changed (or appeared, or went): the user decides ([`AppError::PipelineChanged`]),
//!   or for a new pipeline, the path is taken;
//! - otherwise someone changed *other* files: the commit is made again on the new head
//!   (nothing of theirs is touched), a bounded number of times.
//!
//! Commits to one branch from this instance take turns ([`crate::providers::turns`]); the
//! turn covers the commit only, not the reads that describe it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use api::{
    Change, PipelineFile, PipelineList, PipelinePath, PipelineStorage, PipelineSummary,
    SavedPipeline,
};
use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use secrecy::SecretString;

use super::{Connected, PipelineLocation, ProviderError};
use crate::error::{AppError, AppResult};
use crate::pipelines::{already_exists, Edit, PipelineStore};

/// Pipelines listed for one project: a bound on a huge repository.
pub const MAX_PIPELINES: usize = 500;
/// Provider calls in flight at once for one list.
pub const AT_ONCE: usize = 6;
/// Commits attempted on a branch that keeps moving under unrelated changes. The soak (eight
/// users committing to one branch) found three too few: a third of the saves gave up, and
/// were told, wrongly, that their pipeline had changed.
const COMMIT_ATTEMPTS: u32 = 8;
/// The pause before attempt n is up to n times this (random, so the writers that collided
/// do not collide again in step).
const COMMIT_BACKOFF: Duration = Duration::from_millis(40);

/// One change to commit on a branch.
pub struct FileCommit<'a> {
    pub path: &'a PipelinePath,
    /// The new text, or `None` to delete the file.
    pub content: Option<&'a str>,
    pub message: &'a str,
    /// The commit the change is made on.
    pub parent: &'a str,
    /// Whether the file is new (it was not there at `parent`).
    pub new_file: bool,
}

/// A commit a provider made for a [`FileCommit`].
pub struct NewCommit {
    pub id: String,
    /// The commit it was made on, when that is known to be the one change's parent: the
    /// repository at `id` is then the one at `parent` with the one file changed, and what
    /// is kept of `parent` holds for `id` too (`None`: nothing is assumed).
    pub parent: Option<String>,
}

impl NewCommit {
    /// Made exactly on the parent the change named, as a provider that refuses any other
    /// parent makes it.
    pub fn on(id: String, change: &FileCommit<'_>) -> Self {
        Self {
            id,
            parent: Some(change.parent.to_owned()),
        }
    }
}

/// What a provider does its own way for [`ProviderPipelines`]: the primitive calls, each
/// with the token it is given, on the branch and repository of `at`.
#[async_trait]
pub trait BranchFiles: Send + Sync {
    /// The provider's name in what the user is told ("changed on …").
    fn label(&self) -> &'static str;
    /// A revision from the app, checked before it reaches a URL or a form.
    fn revision<'a>(&self, raw: &'a str) -> Result<&'a str, ProviderError>;
    /// The branch's head commit; `None` when there is no such branch.
    async fn head(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
    ) -> Result<Option<Change>, ProviderError>;
    /// Whether the provider reads a branch's tip in one call and describes the commit in
    /// another (GitHub's ref, then its commit): then the shared layer reads [`Self::tip`] and
    /// describes the commit from what it kept ([`super::at_commit`]), or by
    /// [`Self::describe`], instead of calling [`Self::head`].
    const TIP_APART: bool = false;
    /// The branch's tip commit id; `None` when there is no such branch.
    async fn tip(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
    ) -> Result<Option<String>, ProviderError> {
        Ok(self.head(token, at).await?.map(|change| change.revision))
    }
    /// What [`Self::head`] says of the commit `commit`, read on its own.
    async fn describe(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
        commit: &str,
    ) -> Result<Change, ProviderError> {
        Ok(self
            .head(token, at)
            .await?
            .filter(|head| head.revision == commit)
            .ok_or_else(|| ProviderError::Unexpected(format!("no description of {commit}")))?)
    }
    /// The paths of the files under the project's folder at `commit`, and whether a bound
    /// stopped the listing.
    async fn paths(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
        commit: &str,
    ) -> Result<(Vec<String>, bool), ProviderError>;
    /// A file's bytes at `commit` (at most [`api::pipeline::MAX_PIPELINE_BYTES`]); `None` if it is not there.
    async fn file(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
        commit: &str,
        path: &PipelinePath,
    ) -> Result<Option<Vec<u8>>, ProviderError>;
    /// The last commit that changed `path`, up to `commit`.
    async fn last_change(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
        commit: &str,
        path: &PipelinePath,
    ) -> Result<Option<Change>, ProviderError>;
    /// Commits one change; [`ProviderError::Conflict`] when the provider refuses it because
    /// the parent is out of date.
    async fn commit(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
        change: FileCommit<'_>,
    ) -> Result<NewCommit, ProviderError>;
    /// Why the provider cannot delete `path`, when it cannot.
    fn refuses_delete(&self, _at: &PipelineLocation, _path: &PipelinePath) -> Option<AppError> {
        None
    }
}

/// A project's pipelines on its provider: the [`PipelineStore`] every provider shares.
pub struct ProviderPipelines<F> {
    pub connected: Connected,
    pub location: PipelineLocation,
    pub files: F,
}

impl<F: BranchFiles + 'static> ProviderPipelines<F> {
    /// The store a host's [`super::GitHost::pipelines`] returns, over its `files`.
    pub fn boxed(
        connected: Connected,
        location: PipelineLocation,
        files: F,
    ) -> Box<dyn PipelineStore> {
        Box::new(Self {
            connected,
            location,
            files,
        })
    }
}

/// What a commit attempt came to, short of a provider failure.
enum Outcome {
    /// The commit that holds the save, and the parent it was made on when it is the studio's
    /// own new commit of this one file (`None`: found landed, made by an earlier attempt).
    Committed(String, Option<String>),
    /// The file changed (or appeared, or went) on the branch since the edit's revision.
    Changed,
    /// A new pipeline's path is taken.
    Exists,
    /// The branch moved under unrelated changes at every attempt; the file is unchanged.
    Busy,
}

fn busy(branch: &str) -> AppError {
    AppError::StoreBusy(format!(
        "Other commits kept arriving on the branch {branch} while the studio saved, so nothing was saved yet. \
         Your pipeline did not change and your text is kept: save again in a moment."
    ))
}

fn changed(label: &str) -> AppError {
    AppError::PipelineChanged(format!(
        "This pipeline changed on {label} since you opened it (someone committed a new version, or deleted it). \
         Nothing was overwritten: reload it to see the new version, or save your text as a new pipeline."
    ))
}

/// A commit's short label, as the app shows it.
pub fn short(hash: &str) -> String {
    hash.chars().take(7).collect()
}

impl<F: BranchFiles> ProviderPipelines<F> {
    async fn head(&self, token: &SecretString) -> Result<Change, ProviderError> {
        let head = if F::TIP_APART {
            match self.files.tip(token, &self.location).await? {
                Some(tip) => Some(self.described(token, &tip).await?),
                None => None,
            }
        } else {
            self.files.head(token, &self.location).await?
        };
        head.ok_or_else(|| {
            ProviderError::NotFound(format!(
                "The branch {} of {}",
                self.location.branch, self.location.full_name
            ))
        })
    }

    async fn file(
        &self,
        token: &SecretString,
        commit: &str,
        path: &PipelinePath,
    ) -> Result<Option<Vec<u8>>, ProviderError> {
        self.files.file(token, &self.location, commit, path).await
    }

    /// The description of `commit`, a tip the user's token just read: kept, or asked.
    async fn described(&self, token: &SecretString, commit: &str) -> Result<Change, ProviderError> {
        let kept = &self.connected.grants.at_commit;
        let repository = self.repository();
        if let Some(change) = kept.described(&repository, commit) {
            return Ok(change);
        }
        let change = self.files.describe(token, &self.location, commit).await?;
        kept.keep_described(&repository, commit, change.clone());
        Ok(change)
    }

    /// `group/repo`, the key of what the repository holds at a commit.
    fn repository(&self) -> String {
        format!("{}/{}", self.location.group, self.location.repo)
    }

    /// The paths under the folder at `commit` (a head the user's token just read), kept
    /// ([`super::at_commit`]).
    async fn paths(
        &self,
        token: &SecretString,
        commit: &str,
    ) -> Result<(Vec<String>, bool), ProviderError> {
        let kept = &self.connected.grants.at_commit;
        let (repository, folder) = (self.repository(), self.location.folder.as_str());
        if let Some(found) = kept.paths(&repository, commit, folder) {
            return Ok(found);
        }
        let (paths, cut) = self.files.paths(token, &self.location, commit).await?;
        kept.keep_paths(&repository, commit, folder, &paths, cut);
        Ok((paths, cut))
    }

    /// The last change of `path` up to `commit` (a head the user's token just read), kept.
    async fn last_change(
        &self,
        token: &SecretString,
        commit: &str,
        path: &PipelinePath,
    ) -> Result<Option<Change>, ProviderError> {
        let kept = &self.connected.grants.at_commit;
        let repository = self.repository();
        if let Some(found) = kept.last_change(&repository, commit, path.as_str()) {
            return Ok(found);
        }
        let last = self
            .files
            .last_change(token, &self.location, commit, path)
            .await?;
        kept.keep_last_change(&repository, commit, path.as_str(), last.clone());
        Ok(last)
    }

    /// After the studio's own commit `id` of one file on `parent`: the repository at `id` is
    /// the repository at `parent` with that one file changed, so what was kept at `parent`
    /// holds at `id` too, but for the file, whose last change is `id`. The list that follows
    /// the save then asks the provider only the head.
    fn kept_after(&self, parent: &str, id: &str, change: &FileCommit<'_>, made: &Change) {
        let kept = &self.connected.grants.at_commit;
        let (repository, folder) = (self.repository(), self.location.folder.as_str());
        let saved = change.path.as_str();
        kept.keep_described(&repository, id, made.clone());
        let Some((mut paths, cut)) = kept.paths(&repository, parent, folder) else {
            return;
        };
        let mut known = Vec::with_capacity(paths.len());
        let listed = paths.iter().filter(|path| {
            PipelinePath::parse(path).is_ok_and(|p| self.location.folder.contains(&p))
        });
        for path in listed {
            if path == saved {
                continue;
            }
            match kept.last_change(&repository, parent, path) {
                Some(last) => known.push((path.clone(), last)),
                // Not all known at the parent: nothing is assumed at the new commit.
                None => return,
            }
        }
        paths.retain(|path| path != saved);
        if change.content.is_some() {
            paths.push(saved.to_owned());
            paths.sort();
            known.push((saved.to_owned(), Some(made.clone())));
        }
        for (path, last) in known {
            kept.keep_last_change(&repository, id, &path, last);
        }

        kept.keep_paths(&repository, id, folder, &paths, cut);
    }

    /// Commits `content` (or the deletion) at `path` from `base` (the head if `None`, for a
    /// new pipeline), by the rules in the module documentation.
    ///
    /// `sent` says whether an earlier run of this same save already sent a commit: then a
    /// branch that holds exactly what the save would make means that commit landed. Without
    /// an earlier commit a new pipeline never lands on a taken path.
    async fn commit(
        &self,
        token: &SecretString,
        path: &PipelinePath,
        base: Option<&str>,
        message: &str,
        content: Option<&str>,
        sent: &AtomicBool,
    ) -> Result<Outcome, ProviderError> {
        let landed_before = sent.load(Ordering::Acquire);
        let base = base.map(|base| self.files.revision(base)).transpose()?;
        let mut parent = match base {
            Some(base) => base.to_owned(),
            None => self.head(token).await?.revision,
        };
        // What the file was when the edit started, the state it must still be in: read only
        // if the commit is refused (a save without conflict costs one call).
        let mut before: Option<Option<Vec<u8>>> = base.is_none().then_some(None);
        let wanted: Option<&[u8]> = content.map(str::as_bytes);
        if base.is_none() {
            if let Some(existing) = self.file(token, &parent, path).await? {
                return Ok(if landed_before && Some(existing.as_slice()) == wanted {
                    Outcome::Committed(parent, None)
                } else {
                    Outcome::Exists
                });
            }
        }
        for attempt in 0..COMMIT_ATTEMPTS {
            if attempt > 0 {
                let most = COMMIT_BACKOFF * attempt;
                tokio::time::sleep(most.mul_f64(rand::random::<f64>())).await;
            }
            // From here the commit may land, whatever answer comes back.
            sent.store(true, Ordering::Release);
            let change = FileCommit {
                path,
                content,
                message,
                parent: &parent,
                new_file: base.is_none(),
            };
            match self.files.commit(token, &self.location, change).await {
                Ok(made) => return Ok(Outcome::Committed(made.id, made.parent)),
                Err(ProviderError::Conflict(_)) => {}
                Err(other) => return Err(other),
            }
            let head = self.head(token).await?.revision;
            let was = match (&before, base) {
                (Some(was), _) => was.clone(),
                (None, Some(base)) => self.file(token, base, path).await?,
                (None, None) => None,
            };
            let now = self.file(token, &head, path).await?;
            if now.as_deref() == wanted && (landed_before || now == was) {
                return Ok(Outcome::Committed(head, None));
            }
            if now != was {
                return Ok(if base.is_none() {
                    Outcome::Exists
                } else {
                    Outcome::Changed
                });
            }
            before = Some(was);
            parent = head;
        }
        Ok(Outcome::Busy)
    }

    /// Runs a commit, in the branch's turn, through the user's token, and describes it.
    async fn committed(
        &self,
        path: &PipelinePath,
        base: Option<&str>,
        message: &str,
        content: Option<&str>,
    ) -> AppResult<SavedPipeline> {
        let outcome = {
            let location = &self.location;
            let branch = format!("{}/{}/{}", location.group, location.repo, location.branch);
            let _turn = self.connected.grants.commit_turns.wait(&branch).await;
            let sent = AtomicBool::new(false);
            let sent = &sent;
            self.connected
                .call(|token| async move {
                    Ok(self
                        .commit(&token, path, base, message, content, sent)
                        .await?)
                })
                .await?
        };
        let (id, parent) = match outcome {
            Outcome::Committed(id, parent) => (id, parent),
            Outcome::Changed => return Err(changed(self.files.label())),
            Outcome::Exists => return Err(already_exists(path)),
            Outcome::Busy => return Err(busy(&self.location.branch)),
        };
        // The provider records the token's account as the author.
        let author = self.connected.account_name().await?;
        let made = Change {
            label: short(&id),
            revision: id.clone(),
            author,
            at: crate::store::now(),
            message: message.to_owned(),
        };
        if let Some(parent) = parent {
            let change = FileCommit {
                path,
                content,
                message,
                parent: &parent,
                new_file: base.is_none(),
            };
            self.kept_after(&parent, &id, &change, &made);
        }
        Ok(SavedPipeline {
            path: path.as_str().to_owned(),
            change: made,
        })
    }
}

#[async_trait]
impl<F: BranchFiles> PipelineStore for ProviderPipelines<F> {
    async fn list(&self) -> AppResult<PipelineList> {
        let location = &self.location;
        let (head, mut pipelines, truncated) = self
            .connected
            .call(|token| async move {
                let head = self.head(&token).await?;
                let (files, more) = self.paths(&token, &head.revision).await?;
                let mut paths: Vec<PipelinePath> = files
                    .iter()
                    .filter_map(|f| PipelinePath::parse(f).ok())
                    .filter(|p| location.folder.contains(p))
                    .collect();
                let truncated = more || paths.len() > MAX_PIPELINES;
                paths.truncate(MAX_PIPELINES);
                let token = &token;
                let head_id = head.revision.as_str();
                let pipelines: Vec<PipelineSummary> = futures::stream::iter(paths)
                    .map(|path| async move {
                        let last = self.last_change(token, head_id, &path).await?;
                        Ok::<_, ProviderError>(PipelineSummary {
                            kind: path.kind(),
                            path: path.as_str().to_owned(),
                            last_change: last,
                        })
                    })
                    .buffer_unordered(AT_ONCE)
                    .try_collect()
                    .await?;
                Ok((head, pipelines, truncated))
            })
            .await?;
        pipelines.sort_by(|a, b| {
            let at = |p: &PipelineSummary| p.last_change.as_ref().map_or(0, |c| c.at);
            at(b).cmp(&at(a)).then_with(|| a.path.cmp(&b.path))
        });
        Ok(PipelineList {
            storage: PipelineStorage::Provider {
                full_name: location.full_name.clone(),
                branch: location.branch.clone(),
                folder: location.folder.as_str().to_owned(),
                head,
            },
            pipelines,
            truncated,
        })
    }

    async fn read(&self, path: &PipelinePath) -> AppResult<PipelineFile> {
        let location = &self.location;
        let (head, bytes, last) = self
            .connected
            .call(|token| async move {
                let head = self.head(&token).await?;
                let (bytes, last) = tokio::join!(
                    self.file(&token, &head.revision, path),
                    self.files
                        .last_change(&token, location, &head.revision, path)
                );
                Ok((head, bytes?, last?))
            })
            .await?;
        let bytes = bytes.ok_or_else(|| {
            AppError::NotFound(format!(
                "The pipeline {} on branch {}",
                path.as_str(),
                location.branch
            ))
        })?;
        let content = String::from_utf8(bytes).map_err(|_| AppError::InvalidInput {
            field: "path",
            message: format!(
                "{} is not a text file, so the studio cannot show it.",
                path.as_str()
            ),
        })?;
        Ok(PipelineFile {
            path: path.as_str().to_owned(),
            kind: path.kind(),
            content,
            revision_label: head.label,
            revision: head.revision,
            last_change: last,
        })
    }

    async fn save(&self, edit: &Edit) -> AppResult<SavedPipeline> {
        self.committed(
            &edit.path,
            edit.base.as_deref(),
            &edit.message,
            Some(&edit.content),
        )
        .await
    }

    async fn delete(
        &self,
        path: &PipelinePath,
        base: &str,
        message: &str,
    ) -> AppResult<SavedPipeline> {
        if let Some(refusal) = self.files.refuses_delete(&self.location, path) {
            return Err(refusal);
        }
        self.committed(path, Some(base), message, None).await
    }
}
