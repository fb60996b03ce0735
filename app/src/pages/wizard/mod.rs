//! The project-creation wizard, one file per step, each step its own route:
//!
//! 1. [`configuration`] "Select project configuration" (`/projects/new`)
//! 2. Quick start: [`details`] "Project details" (`/projects/new/quick-start/details`)
//! 2. Advanced: [`provider`] "Select Git provider" (`/projects/new/advanced`)
//! 3. [`connect`] "Connect Bitbucket" (`/projects/new/advanced/{provider}`, e.g. `bitbucket`,
//!    `bitbucket-dc`; [`provider_route`] reads and checks the slug)
//! 4. [`repository`] "Choose a repository" (`…/{provider}/repository?workspace=`)
//! 5. [`branch`] "Check the branch" (`…/{provider}/branch?workspace=&repository=`): `main`
//!    must exist; offers to create it
//! 6. [`details`] "Project details" (`…/{provider}/details?workspace=&repository=`)
//! 7. [`review`] "Review and create" (`…/{provider}/review?workspace=&repository=`; Quick
//!    start: `/projects/new/quick-start/review`)
//!
//! Choices travel in the URL, not in memory, so a reload, the back button or the OAuth
//! round trip to the provider never loses them. For Data Center, "workspace" in the URL and
//! the contract is the project key.

pub mod branch;
pub mod chosen;
pub mod configuration;
pub mod connect;
pub mod details;
pub mod provider;
pub mod provider_route;
pub mod repository;
pub mod repository_list;
pub mod review;

pub use branch::BranchStep;
pub use configuration::ConfigurationStep;
pub use connect::ConnectStep;
pub use details::{AdvancedDetailsStep, QuickStartDetailsStep};
pub use provider::ProviderStep;
pub use repository::RepositoryStep;
pub use review::{AdvancedReviewStep, QuickStartReviewStep};
