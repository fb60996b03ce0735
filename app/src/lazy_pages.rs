//! The pages loaded on demand: the wizard's steps from Connect on, the project page,
//! the pipeline viewer and editor (with the YAML and schema checks), and Connections.
//! Sign-in and sign-up, the projects list and the wizard's first steps (configuration,
//! provider) stay in the first download, which is all the first screen needs.
//!
//! A split build (`site build --split`, what `scripts/build-release-site.sh` runs) makes each
//! page below a wasm chunk of its own, fetched the first time the router needs it
//! ([`LazyRoute`]; a chunk that cannot be fetched shows [`PageNotLoaded`], see
//! [`ChunkNotLoaded`]); the `build.rs` of this crate sees the split (`site` links with
//! `--emit-relocs` for it) and sets `cfg(wasm_split)`. Any other build (`site watch`, a plain
//! `site build`, native tests) compiles the same routes eagerly into one module, so every
//! build works.
//!
//! Preloading is the app's own business in client-side rendering: [`preload_wizard_steps`]
//! fetches the later steps' chunks while the user is on the first ones,
//! [`preload_project_pages`] the project page's while the user looks at the projects list, and
//! [`preload_pipeline_pages`] the viewer's and editor's while the project page is open, so
//! opening them costs no visible wait.

use leptos::prelude::*;
use leptos_router::LazyRoute;

use crate::components::PageNotLoaded;
use crate::tasks::spawn_detached;

/// A page's chunk could not be fetched (the network cut it, or a new version replaced it).
///
/// Leptos' own `#[lazy]` panics then ("load callback should succeed"), and in the release
/// front end a panic is a trap that stops the whole app: a navigation that cut a preload was
/// enough (issue 26, item 9). So the pages are split with `wasm_split`'s `fallible` option,
/// which hands the failure back as this error, and the route shows [`PageNotLoaded`] instead.
/// The loader keeps no failure: the next attempt fetches the chunk again.
#[derive(Clone, Copy, Debug)]
pub struct ChunkNotLoaded;

impl From<leptos::wasm_split::SplitLoaderError> for ChunkNotLoaded {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkNotLoaded
    }
}

/// Calls a function split with `wasm_split` (its chunk fetched first) in a split build, and
/// directly in any other: `split_call!(f(args))` is `f(args).await` or `f(args)`.
macro_rules! split_call {
    ($function:ident($($argument:expr),* $(,)?)) => {{
        #[cfg(wasm_split)]
        let result = $function($($argument),*).await;
        #[cfg(not(wasm_split))]
        let result = $function($($argument),*);
        result
    }};
}
pub(crate) use split_call;

/// Declares a route type whose page is `$page`, split into a chunk of its own in a split
/// build. `$view` names the split function (and its chunk) and `$preload` the function that
/// only fetches the chunk.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident, $view:ident, $preload:ident, $page:path) => {
        $(#[$doc])*
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_: Self) -> AnyView {
                split_call!($view()).unwrap_or_else(|ChunkNotLoaded| view! { <PageNotLoaded /> }.into_any())
            }

            async fn preload() {
                // A preload that fails costs nothing: opening the page fetches it again.
                #[cfg(wasm_split)]
                let _ = $preload().await;
            }
        }

        #[cfg_attr(
            wasm_split,
            leptos::wasm_split::wasm_split(
                $view,
                wasm_split_path = ::leptos::wasm_split,
                preload($preload),
                fallible
            )
        )]
        fn $view() -> Result<AnyView, ChunkNotLoaded> {
            Ok(view! { <$page /> }.into_any())
        }
    };
}

lazy_page!(
    /// `/projects/new/advanced/:provider`: whether the provider is authorized, and Authorize.
    ConnectStepRoute,
    connect_step_view,
    __preload_connect_step_view,
    crate::pages::wizard::ConnectStep
);
lazy_page!(
    /// `…/:provider/repository`: the repository picker.
    RepositoryStepRoute,
    repository_step_view,
    __preload_repository_step_view,
    crate::pages::wizard::RepositoryStep
);
lazy_page!(
    /// `…/:provider/branch`: the check of `main`.
    BranchStepRoute,
    branch_step_view,
    __preload_branch_step_view,
    crate::pages::wizard::BranchStep
);
lazy_page!(
    /// `/projects/new/quick-start/details`.
    QuickStartDetailsRoute,
    quick_start_details_view,
    __preload_quick_start_details_view,
    crate::pages::wizard::QuickStartDetailsStep
);
lazy_page!(
    /// `…/:provider/details`.
    AdvancedDetailsRoute,
    advanced_details_view,
    __preload_advanced_details_view,
    crate::pages::wizard::AdvancedDetailsStep
);
lazy_page!(
    /// `/projects/new/quick-start/review`.
    QuickStartReviewRoute,
    quick_start_review_view,
    __preload_quick_start_review_view,
    crate::pages::wizard::QuickStartReviewStep
);
lazy_page!(
    /// `…/:provider/review`.
    AdvancedReviewRoute,
    advanced_review_view,
    __preload_advanced_review_view,
    crate::pages::wizard::AdvancedReviewStep
);
lazy_page!(
    /// `/sign-up/confirm`: reached from the mailed link.
    SignUpConfirmRoute,
    sign_up_confirm_view,
    __preload_sign_up_confirm_view,
    crate::pages::SignUpConfirm
);
lazy_page!(
    /// `/projects/:id`: a project and its pipelines.
    ProjectRoute,
    project_view,
    __preload_project_view,
    crate::pages::ProjectPage
);
lazy_page!(
    /// `/projects/:id/pipelines/view`: one pipeline, read-only.
    PipelineViewRoute,
    pipeline_view_view,
    __preload_pipeline_view_view,
    crate::pages::PipelineViewPage
);
lazy_page!(
    /// `/projects/:id/pipelines/edit`: the editor on an existing pipeline.
    EditPipelineRoute,
    edit_pipeline_view,
    __preload_edit_pipeline_view,
    crate::pages::EditPipelinePage
);
lazy_page!(
    /// `/projects/:id/pipelines/new`: the editor on a new pipeline.
    NewPipelineRoute,
    new_pipeline_view,
    __preload_new_pipeline_view,
    crate::pages::NewPipelinePage
);
lazy_page!(
    /// `/settings/connections`: the user's authorizations.
    ConnectionsRoute,
    connections_view,
    __preload_connections_view,
    crate::pages::ConnectionsPage
);

/// Starts fetching the later wizard steps' chunks (the first steps lead to them).
pub fn preload_wizard_steps() {
    spawn_detached(async {
        ConnectStepRoute::preload().await;
        RepositoryStepRoute::preload().await;
        BranchStepRoute::preload().await;
        AdvancedDetailsRoute::preload().await;
        AdvancedReviewRoute::preload().await;
        QuickStartDetailsRoute::preload().await;
        QuickStartReviewRoute::preload().await;
    });
}

/// Starts fetching the project page's chunk (the projects list links to it).
pub fn preload_project_pages() {
    spawn_detached(ProjectRoute::preload());
}

/// Starts fetching the viewer's and editor's chunks (the project page links to them).
pub fn preload_pipeline_pages() {
    spawn_detached(async {
        PipelineViewRoute::preload().await;
        EditPipelineRoute::preload().await;
        NewPipelineRoute::preload().await;
    });
}
