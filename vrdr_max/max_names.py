"""The 3ds Max and V-Ray names vrdr relies on: classes, properties, callback ids, file names.

No pymxs here, so modules that only need the names (``export``, ``fieldcheck``, the tests) import
them anywhere. Each name no public source confirms is marked [unverified]; the field check
(``fieldcheck.py``) reads them inside 3ds Max.
"""

from __future__ import annotations

from vrdr_max.facts import AssetKind

CALLBACK_ID = "vrdr"
APPDATA_ID = 0x76726472  # "vrdr": our slot in the scene root node's AppData
QUICK_RENDER = "max quick render"  # the Render button: uses Render Setup's settings

# Maps and objects whose file the adapter attributes to a named owner: (class global, property
# holding the path, asset kind). A class absent in this 3ds Max is skipped. VRayHDRI is the HDRI
# class before V-Ray 5; from V-Ray 5 on it is the same class as VRayBitmap and is read once.
ASSET_SOURCES: tuple[tuple[str, str, AssetKind], ...] = (
    ("BitmapTexture", "filename", AssetKind.BITMAP),
    ("VRayBitmap", "HDRIMapName", AssetKind.HDRI),
    ("VRayHDRI", "HDRIMapName", AssetKind.HDRI),
    ("VRayProxy", "fileName", AssetKind.PROXY),
    ("VRayIES", "ies_file", AssetKind.IES),
)
# Every other file comes from the Asset Tracking System, which does not say what uses it: its
# kind by file extension. [unverified] beyond the vendors' documented extensions.
EXTENSION_KINDS: dict[str, AssetKind] = {
    ".ies": AssetKind.IES,
    ".vrscene": AssetKind.VRAYSCENE,
    ".vdb": AssetKind.VOLUME,
    ".f3d": AssetKind.VOLUME,
    ".aur": AssetKind.VOLUME,
    ".aurz": AssetKind.VOLUME,
    ".max": AssetKind.XREF,
    ".abc": AssetKind.ALEMBIC,
    ".vrmesh": AssetKind.PROXY,
    ".hdr": AssetKind.HDRI,
    ".exr": AssetKind.HDRI,
}
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".tga", ".bmp", ".psd"})
# Objects that are not lights but sit in `lights` (the targets of target lights).
NOT_LIGHTS = frozenset({"targetobject"})
# Lights whose on/off switch is not called `on`: VRayAmbientLight [V-Ray 7 MAXScript reference];
# VRaySun and VRayIES [unverified].
LIGHT_SWITCH = {"vraysun": "enabled", "vrayies": "enabled", "vrayambientlight": "enabled"}
# LayerProperties: the layer's own hidden flag and its parent (nested layers, 3ds Max 2015+;
# undefined for a top-level layer). A hidden parent hides the nodes of its child layers, whose
# own flag stays as it was. Spellings as a public pymxs layer manager uses them (Eski Layer
# Manager: `layer.ishidden`, `layer.getParent()`) [used in production code].
LAYER_HIDDEN = "ishidden"
LAYER_PARENT = "getParent"
MAX_LAYER_DEPTH = 256  # a bound for walks up the layer tree
# "Used Plug-Ins" of the file properties' contents: DLL names as of the last save [AWS Deadline
# Cloud for 3ds Max reads it with fileProperties.getItems].
USED_PLUGINS = "Used Plug-Ins"
# A DLL under the 3ds Max root is Autodesk's: stdplugs, plugin.ini's `Additional MAX
# plug-ins=<maxroot>\PlugIns`, and Autodesk's packages there (default plugin.ini; Autodesk
# "Plug-In Manager") [confirmed]. V-Ray's DLL names start with these [unverified] (every DR
# server has V-Ray).
VRAY_DLL_PREFIXES = ("vrender", "vray")

# rootScene's sub-anims (Autodesk, "rootScene System Global Variable": `getsubanimnames
# rootScene`) [confirmed]. The Material Editor's slots (#Medit_Materials) and the Slate editor
# (#SME) hold what only the editors hold; #world (the node tree, whose object is rootNode) and
# #Scene_Materials (the materials nodes use) are reached through the nodes; every other branch
# (Environment, Render Effects, Render Elements, renderer, ...) holds maps the render uses.
EDITOR_BRANCHES = ("Medit_Materials", "SME")
NODE_BRANCHES = ("world", "Scene_Materials")
# Whether `getClassInstances <class> target:(getSubAnim rootScene i).object` searches that
# branch [unverified]: the field check reads it. Wrappers of one MAXScript object compare
# equal with `==` [unverified]; if they do not, editor-only maps are kept (reported).

# Outputs, never inputs: Render Setup's output and render elements' (MAXScript
# `rendOutputFilename`; RenderElementMgr `GetRenderElementFilename`, 0-based) [confirmed], and
# V-Ray's raw image and split channel files (AYON's and Royal Render's 3ds Max scripts read
# these) [used in production code]. 3ds Max adds the frame number to a sequence's file name.
RENDER_OUTPUT = "rendOutputFilename"
VRAY_OUTPUT_PROPS = ("output_rawFileName", "output_splitfilename")

# What the field check builds for a moment to try the scene read: a render element that holds a
# map, `VRayExtraTex elementname: texture:` (public 3ds Max scripts create it so) [used in
# production code], and the names it gives its probes.
ELEMENT_PROBE = ("VRayExtraTex", "elementname", "texture")
PROBE_NAME = "vrdr_field_probe"
# A render is judged by the #postRenderFrame notifications it sends against the frames Render
# Setup asks for (3ds Max documents no "render cancelled" event or state).
FRAME_EVENT = "postRenderFrame"
RENDER_WATCH_ID = "vrdr_render_watch"
FIELD_PROBE_ID = "vrdr_field_probe"
PROMPT_MS = 8000  # how long a render-guard message stays on the prompt line
MISSING_CLASSES = ("Missing_GeomObject", "Missing_Light", "Missing_Mtl", "Missing_TextureMap",
                   "Missing_Camera", "Missing_Helper", "Missing_Shape", "Missing_OSM",
                   "Missing_WSM", "Missing_WSM_Object", "Missing_RefTarget",
                   "Missing_Render_Effect", "Missing_Atmospheric")
