//! The project-creation wizard, one file per step, each step its own route. The steps, their
//! order, labels and paths are declared once, in [`api::wizard`]; the route table
//! ([`crate::routes`]) and the links between steps ([`crate::links`]) read them there.
//!
//! - [`configuration`]: "Select project configuration"
//! - [`provider`]: "Select Git provider" (Advanced)
//! - [`connect`]: "Connect Bitbucket"; [`provider_route`] reads and checks the provider's slug
//!   in the path of this step and every later one
//! - [`repository`]: "Choose a repository"; [`prepared`] is its first screen, asked for while
//!   the user reads the connect step
//! - [`branch`]: "Check the branch": `main` must exist; offers to create it
//! - [`details`]: "Project details" (both flows)
//! - [`review`]: "Review and create" (both flows)
//!
//! Choices travel in the URL, not in memory, so a reload, the back button or the OAuth
//! round trip to the provider never loses them. "workspace" in the URL and the contract is
//! the key of the provider's group of repositories (a Data Center project's key).

pub mod branch;
pub mod chosen;
pub mod configuration;
pub mod connect;
pub mod details;
pub mod prepared;
pub mod provider;
pub mod provider_route;
pub mod repository;
pub mod repository_list;
pub mod repository_options;
pub mod review;

pub use branch::BranchStep;
pub use configuration::ConfigurationStep;
pub use connect::ConnectStep;
pub use details::{AdvancedDetailsStep, QuickStartDetailsStep};
pub use provider::ProviderStep;
pub use repository::RepositoryStep;
pub use review::{AdvancedReviewStep, QuickStartReviewStep};
